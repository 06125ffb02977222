import { describe, expect, it } from '@jest/globals'
import { parseImageName } from '../../../src/reference/images.js'
import {
  GithubPackages,
  ghcrPackage,
  packagePath,
  parseVersions,
  refusal
} from '../../../src/cleanup/github-packages.js'
import type { RegistryRequestInit } from '../../../src/registry/http-fetch.js'

const DIGEST = `sha256:${'a'.repeat(64)}`
const API = 'https://api.github.test'

describe('ghcrPackage', () => {
  const rows: { name: string; image: string; expected: unknown }[] = [
    {
      name: 'an organization package',
      image: 'ghcr.io/octo-org/app',
      expected: {
        owner: 'octo-org',
        name: 'app',
        image: 'ghcr.io/octo-org/app'
      }
    },
    {
      name: 'a nested name keeps its slashes',
      image: 'ghcr.io/octo-org/app/sub',
      expected: {
        owner: 'octo-org',
        name: 'app/sub',
        image: 'ghcr.io/octo-org/app/sub'
      }
    },
    {
      name: 'the stack stand-in on a port of its own',
      image: 'ghcr.io:5444/octocat/app',
      expected: {
        owner: 'octocat',
        name: 'app',
        image: 'ghcr.io:5444/octocat/app'
      }
    },
    {
      name: 'another registry',
      image: '127.0.0.1:5001/octo-org/app',
      expected: undefined
    },
    { name: 'Docker Hub', image: 'octo-org/app', expected: undefined }
  ]
  it.each(rows)('$name', ({ image, expected }) => {
    expect(ghcrPackage(parseImageName(image))).toEqual(expected)
  })

  it('refuses a ghcr.io image without a package name', () => {
    expect(() => ghcrPackage(parseImageName('ghcr.io/app'))).toThrow(
      "cleanup: ghcr.io/app names no package: GHCR's images are ghcr.io/OWNER/NAME"
    )
  })
})

describe('packagePath', () => {
  const pkg = {
    owner: 'octo-org',
    name: 'app/sub',
    image: 'ghcr.io/octo-org/app/sub'
  }
  const rows = [
    {
      name: 'organization',
      organization: true,
      expected: '/orgs/octo-org/packages/container/app%2Fsub'
    },
    {
      name: 'user',
      organization: false,
      expected: '/users/octo-org/packages/container/app%2Fsub'
    }
  ]
  it.each(rows)('$name', ({ organization, expected }) => {
    expect(packagePath(pkg, organization)).toBe(expected)
  })
})

describe('parseVersions', () => {
  const version = {
    id: 7,
    name: DIGEST,
    created_at: '2026-11-01T10:00:00Z',
    updated_at: '2026-11-02T10:00:00Z',
    metadata: { package_type: 'container', container: { tags: ['latest'] } }
  }
  const rows: { name: string; body: unknown; expected: unknown }[] = [
    {
      name: 'a tagged version',
      body: [version],
      expected: [
        {
          id: 7,
          digest: DIGEST,
          tags: ['latest'],
          created: new Date('2026-11-01T10:00:00Z'),
          updated: new Date('2026-11-02T10:00:00Z')
        }
      ]
    },
    {
      name: 'an untagged version without updated_at',
      body: [
        {
          ...version,
          updated_at: undefined,
          metadata: { container: { tags: [] } }
        }
      ],
      expected: [
        {
          id: 7,
          digest: DIGEST,
          tags: [],
          created: new Date('2026-11-01T10:00:00Z'),
          updated: new Date('2026-11-01T10:00:00Z')
        }
      ]
    },
    {
      name: 'a version without an id is left out',
      body: [{ ...version, id: '7' }],
      expected: []
    }
  ]
  it.each(rows)('$name', ({ body, expected }) => {
    expect(parseVersions(body)).toEqual(expected)
  })
})

describe('refusal', () => {
  const pkg = { owner: 'octo-org', name: 'app', image: 'ghcr.io/octo-org/app' }
  const rows = [
    {
      name: 'a bad token',
      what: 'list' as const,
      status: 401,
      expected:
        'GitHub\'s API refused github-token (HTTP 401 "Bad credentials")'
    },
    {
      name: 'no package to list',
      what: 'list' as const,
      status: 404,
      expected:
        'GitHub has no container package "app" of octo-org that github-token may read'
    },
    {
      name: 'a delete without the right names the permission and the role',
      what: 'delete' as const,
      status: 404,
      expected:
        'github-token may not delete versions of ghcr.io/octo-org/app (HTTP 404 "Bad credentials"): ' +
        'give the job `permissions: packages: write` and this repository the Admin role'
    },
    {
      name: 'an unknown owner',
      what: 'owner' as const,
      status: 404,
      expected:
        'GitHub has no user or organization "octo-org" (ghcr.io/octo-org/app)'
    }
  ]
  it.each(rows)('$name', ({ what, status, expected }) => {
    const line = refusal(what, pkg, status, 'Bad credentials')
    expect(line).toContain(expected)
    expect(line).not.toContain('\n')
  })
})

/** A fake API: answers by method and path, and records the requests. */
function fakeApi(answers: Record<string, () => Response>) {
  const seen: string[] = []
  const fetch = (url: URL, init: RegistryRequestInit) => {
    const key = `${init.method} ${url.pathname}${url.search}`
    seen.push(key)
    const answer = answers[key]
    if (answer === undefined) throw new Error(`unexpected ${key}`)
    return Promise.resolve(answer())
  }
  return { seen, fetch }
}

const json = (
  body: unknown,
  status = 200,
  headers: Record<string, string> = {}
) => new Response(JSON.stringify(body), { status, headers })

describe('GithubPackages', () => {
  const pkg = { owner: 'octocat', name: 'app', image: 'ghcr.io/octocat/app' }
  const versions = '/users/octocat/packages/container/app/versions'
  const one = (id: number) => ({
    id,
    name: `sha256:${String(id).padStart(64, '0')}`,
    created_at: '2026-11-01T10:00:00Z',
    metadata: { container: { tags: [] } }
  })

  it('asks for the owner type once and follows the pages on the API origin', async () => {
    const api = fakeApi({
      'GET /users/octocat': () => json({ login: 'octocat', type: 'User' }),
      [`GET ${versions}?per_page=100`]: () =>
        json([one(1)], 200, {
          Link: `<${API}${versions}?per_page=100&page=2>; rel="next"`
        }),
      [`GET ${versions}?per_page=100&page=2`]: () => json([one(2)])
    })
    const packages = new GithubPackages({
      apiUrl: API,
      token: 't',
      fetch: api.fetch
    })
    const listed = await packages.listVersions(pkg)
    await packages.listVersions(pkg)
    expect(listed.map(v => v.id)).toEqual([1, 2])
    expect(api.seen.filter(s => s === 'GET /users/octocat')).toHaveLength(1)
  })

  it('refuses a next page on another origin', async () => {
    const api = fakeApi({
      'GET /users/octocat': () => json({ type: 'User' }),
      [`GET ${versions}?per_page=100`]: () =>
        json([one(1)], 200, { Link: `<https://elsewhere.test/x>; rel="next"` })
    })
    const packages = new GithubPackages({
      apiUrl: API,
      token: 't',
      fetch: api.fetch
    })
    await expect(packages.listVersions(pkg)).rejects.toThrow(
      "cleanup: GitHub's API named a next page on https://elsewhere.test; not followed"
    )
  })

  const deleteRows = [
    {
      name: 'a 404 while the version is still listed is the missing right',
      listedAfter: [one(1), one(2)],
      error:
        'github-token may not delete versions of ghcr.io/octocat/app (HTTP 404 "Package not found.")'
    },
    {
      name: 'a 404 for a version gone since is done',
      listedAfter: [one(2)],
      error: undefined
    },
    {
      name: "a 404, then a list that fails: the DELETE's answer is kept beside the list's",
      listedAfter: { message: 'Bad credentials' },
      listStatus: 401,
      error:
        `cleanup: GitHub answered the DELETE of version 1 (${one(1).name}) of ` +
        'ghcr.io/octocat/app HTTP 404 "Package not found.", and the versions listed again ' +
        "to tell a refusal from a version gone failed: cleanup: GitHub's API refused " +
        'github-token (HTTP 401 "Bad credentials")'
    }
  ]
  it.each(deleteRows)('$name', async ({ listedAfter, listStatus, error }) => {
    const api = fakeApi({
      'GET /users/octocat': () => json({ type: 'User' }),
      [`DELETE ${versions}/1`]: () =>
        json({ message: 'Package not found.' }, 404),
      [`GET ${versions}?per_page=100`]: () => json(listedAfter, listStatus)
    })
    const packages = new GithubPackages({
      apiUrl: API,
      token: 't',
      fetch: api.fetch
    })
    const version = parseVersions([one(1)])[0]
    const outcome = await packages.deleteVersion(pkg, version).then(
      () => 'deleted',
      (failure: Error) => failure.message
    )
    expect(outcome).toContain(error ?? 'deleted')
  })

  it("passes GitHub's 400 on", async () => {
    const message =
      'You cannot delete the last tagged version of a package. You must delete the package instead.'
    const api = fakeApi({
      'GET /users/octocat': () => json({ type: 'User' }),
      [`DELETE ${versions}/1`]: () => json({ message }, 400)
    })
    const packages = new GithubPackages({
      apiUrl: API,
      token: 't',
      fetch: api.fetch
    })
    await expect(
      packages.deleteVersion(pkg, parseVersions([one(1)])[0])
    ).rejects.toThrow(
      `cleanup: GitHub refused to delete version 1 (${one(1).name}) of ghcr.io/octocat/app ` +
        `(HTTP 400 ${JSON.stringify(message)})`
    )
  })

  const limitRows = [
    { name: '429', status: 429, headers: {} as Record<string, string> },
    {
      name: '403 with retry-after',
      status: 403,
      headers: { 'Retry-After': '1' }
    },
    {
      name: '403 with no requests left',
      status: 403,
      headers: { 'X-RateLimit-Remaining': '0' }
    }
  ]
  it.each(limitRows)(
    'a rate limit ($name) is waited out and tried again',
    async row => {
      let calls = 0
      const api = fakeApi({
        'GET /users/octocat': () =>
          calls++ === 0
            ? json(
                { message: 'API rate limit exceeded' },
                row.status,
                row.headers
              )
            : json({ type: 'User' }),
        [`GET ${versions}?per_page=100`]: () => json([one(1)])
      })
      const sleeps: number[] = []
      const sleep = (ms: number) => (sleeps.push(ms), Promise.resolve())
      const packages = new GithubPackages({
        apiUrl: API,
        token: 't',
        fetch: api.fetch,
        sleep
      })
      expect((await packages.listVersions(pkg)).map(v => v.id)).toEqual([1])
      expect(sleeps).toHaveLength(1)
    }
  )

  it('a 403 without a rate limit is a refusal, not tried again', async () => {
    const api = fakeApi({
      'GET /users/octocat': () => json({ type: 'User' }),
      [`GET ${versions}?per_page=100`]: () =>
        json({ message: 'Resource not accessible by integration' }, 403)
    })
    const packages = new GithubPackages({
      apiUrl: API,
      token: 't',
      fetch: api.fetch
    })
    await expect(packages.listVersions(pkg)).rejects.toThrow(
      'cleanup: GitHub has no container package "app" of octocat that github-token may read ' +
        '(HTTP 403 "Resource not accessible by integration")'
    )
    expect(api.seen).toHaveLength(2)
  })
})
