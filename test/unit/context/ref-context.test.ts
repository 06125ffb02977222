import { describe, expect, it } from '@jest/globals'
import {
  defaultBranches,
  refContextFromRunner
} from '../../../src/context/ref-context.js'
import type { RefContext } from '../../../src/context/context-types.js'
import {
  EVENT_NAMES,
  loadEvent,
  SHAS,
  type EventName
} from '../../fixtures/events.js'

/** The fixtures' runner: github.com, no ID token (the job has no id-token: write). */
const GROUND = {
  idToken: false,
  visibility: 'public',
  organization: true,
  serverUrl: 'https://github.com',
  apiUrl: 'https://api.github.com'
}

const WEBAPP = {
  fullName: 'acme/webapp',
  htmlUrl: 'https://github.com/acme/webapp',
  description: 'Web front end of the Acme shop',
  license: 'MIT'
}

/** The context of a fixture, with env entries replaced and payload paths edited. */
function contextOf(
  name: EventName,
  options: {
    env?: Record<string, string | undefined>
    payload?: Record<string, unknown>
    defaultBranch?: string
  } = {}
): RefContext {
  const fixture = loadEvent(name)
  const payload = edit(fixture.payload, options.payload ?? {})
  return refContextFromRunner(
    { ...fixture.env, ...options.env },
    payload,
    options.defaultBranch ?? ''
  )
}

/** Sets each dotted path of the payload to its value; undefined deletes it. */
function edit(payload: unknown, changes: Record<string, unknown>): unknown {
  for (const [path, value] of Object.entries(changes)) {
    const keys = path.split('.')
    const last = keys.pop() as string
    let target = payload as Record<string, unknown>
    for (const key of keys) target = target[key] as Record<string, unknown>
    if (value === undefined) delete target[last]
    else target[last] = value
  }
  return payload
}

describe('refContextFromRunner', () => {
  const rows: { name: EventName; expected: RefContext }[] = [
    {
      name: 'push-default-branch',
      expected: {
        eventName: 'push',
        ref: 'refs/heads/main',
        sha: SHAS.main,
        defaultBranches: ['main'],
        commitDate: new Date('2024-11-05T13:32:10Z'),
        repository: WEBAPP
      }
    },
    {
      name: 'push-master-default',
      expected: {
        eventName: 'push',
        ref: 'refs/heads/master',
        sha: SHAS.master,
        defaultBranches: ['master'],
        commitDate: new Date('2024-10-28T08:15:02Z'),
        repository: {
          fullName: 'acme/legacy-api',
          htmlUrl: 'https://github.com/acme/legacy-api',
          description: 'Legacy REST API of the Acme shop',
          license: 'Apache-2.0'
        }
      }
    },
    {
      name: 'push-branch',
      expected: {
        eventName: 'push',
        ref: 'refs/heads/tickets/DM-42',
        sha: SHAS.branch,
        defaultBranches: ['main'],
        commitDate: new Date('2024-11-06T09:01:47Z'),
        repository: WEBAPP
      }
    },
    {
      name: 'push-tag',
      expected: {
        eventName: 'push',
        ref: 'refs/tags/v1.2.3',
        sha: SHAS.release,
        defaultBranches: ['main'],
        baseRef: 'main',
        commitDate: new Date('2024-11-07T15:45:00Z'),
        repository: WEBAPP
      }
    },
    {
      name: 'push-tag-prerelease',
      expected: {
        eventName: 'push',
        ref: 'refs/tags/v2.0.0-rc.1',
        sha: SHAS.prerelease,
        defaultBranches: ['main'],
        commitDate: new Date('2024-11-12T10:20:33Z'),
        repository: WEBAPP
      }
    },
    {
      name: 'push-tag-nonversion',
      expected: {
        eventName: 'push',
        ref: 'refs/tags/deploy-2024-11',
        sha: SHAS.deploy,
        defaultBranches: ['main'],
        baseRef: 'main',
        commitDate: new Date('2024-11-14T09:00:00Z'),
        repository: {
          fullName: 'acme/deploy-tools',
          htmlUrl: 'https://github.com/acme/deploy-tools'
        }
      }
    },
    {
      name: 'pull-request',
      expected: {
        eventName: 'pull_request',
        ref: 'refs/pull/42/merge',
        sha: SHAS.prMerge,
        defaultBranches: ['main'],
        prNumber: 42,
        prHeadRef: 'feature/login',
        baseRef: 'main',
        repository: WEBAPP
      }
    },
    {
      name: 'pull-request-target',
      expected: {
        eventName: 'pull_request_target',
        ref: 'refs/pull/42/merge',
        sha: SHAS.prBase,
        defaultBranches: ['main'],
        prNumber: 42,
        prHeadRef: 'feature/login',
        baseRef: 'main',
        repository: WEBAPP
      }
    },
    {
      name: 'release',
      expected: {
        eventName: 'release',
        ref: 'refs/tags/v1.2.3',
        sha: SHAS.release,
        defaultBranches: ['main'],
        repository: WEBAPP
      }
    },
    {
      name: 'schedule',
      expected: {
        eventName: 'schedule',
        ref: 'refs/heads/main',
        sha: SHAS.schedule,
        defaultBranches: ['main'],
        repository: {
          fullName: 'acme/webapp',
          htmlUrl: 'https://github.com/acme/webapp'
        }
      }
    },
    {
      name: 'workflow-dispatch',
      expected: {
        eventName: 'workflow_dispatch',
        ref: 'refs/heads/main',
        sha: SHAS.dispatch,
        defaultBranches: ['main'],
        repository: WEBAPP
      }
    },
    {
      name: 'create-tag',
      expected: {
        eventName: 'create',
        ref: 'refs/tags/v1.2.3',
        sha: SHAS.release,
        defaultBranches: ['main'],
        repository: WEBAPP
      }
    }
  ]

  it('has one row per event fixture', () => {
    expect(rows.map(row => row.name).sort()).toEqual([...EVENT_NAMES].sort())
  })

  it.each(rows)('reads the $name fixture', ({ name, expected }) => {
    // a schedule's payload names no repository: its visibility and owner are unknown
    const unknown = name === 'schedule'
    expect(contextOf(name)).toStrictEqual({
      ...expected,
      attestationGround: {
        ...GROUND,
        visibility: unknown ? 'unknown' : 'public',
        organization: !unknown
      }
    })
  })

  it.each([
    {
      name: 'the input overrides the payload default branch',
      event: 'push-master-default' as const,
      input: 'main',
      expected: ['main']
    },
    {
      name: 'a full refs/heads/ input is accepted',
      event: 'push-default-branch' as const,
      input: 'refs/heads/develop',
      expected: ['develop']
    },
    {
      name: 'a blank input leaves the payload default branch',
      event: 'push-master-default' as const,
      input: '  ',
      expected: ['master']
    },
    {
      name: 'the input overrides the schedule ref',
      event: 'schedule' as const,
      input: 'develop',
      expected: ['develop']
    }
  ])('default branch: $name', ({ event, input, expected }) => {
    expect(contextOf(event, { defaultBranch: input }).defaultBranches).toEqual(
      expected
    )
  })

  it.each([
    {
      name: 'a payload without repository falls back to the env, master and main',
      event: 'push-default-branch' as const,
      payload: { repository: undefined },
      expected: {
        defaultBranches: ['master', 'main'],
        repository: {
          fullName: 'acme/webapp',
          htmlUrl: 'https://github.com/acme/webapp'
        }
      }
    },
    {
      name: 'an Enterprise server URL builds the repository URL',
      event: 'schedule' as const,
      env: {
        GITHUB_SERVER_URL: 'https://ghe.example.com/',
        GITHUB_REPOSITORY: 'platform/api'
      },
      expected: {
        repository: {
          fullName: 'platform/api',
          htmlUrl: 'https://ghe.example.com/platform/api'
        }
      }
    },
    {
      name: 'a schedule on another ref keeps master and main',
      event: 'schedule' as const,
      env: { GITHUB_REF: 'refs/tags/v1.0.0' },
      expected: { defaultBranches: ['master', 'main'] }
    },
    {
      name: 'a push without GITHUB_REF reads the payload ref',
      event: 'push-branch' as const,
      env: { GITHUB_REF: undefined },
      expected: { ref: 'refs/heads/tickets/DM-42' }
    },
    {
      name: 'a pull_request without numbers in the payload reads GITHUB_REF',
      event: 'pull-request' as const,
      payload: { number: undefined, 'pull_request.number': undefined },
      expected: { prNumber: 42, ref: 'refs/pull/42/merge' }
    },
    {
      name: 'a pull request payload without pull_request uses number and env',
      event: 'pull-request-target' as const,
      payload: { pull_request: undefined },
      expected: {
        prNumber: 42,
        ref: 'refs/pull/42/merge',
        prHeadRef: 'feature/login',
        baseRef: 'main'
      }
    },
    {
      name: 'a malformed pull_request.number falls back to number',
      event: 'pull-request' as const,
      payload: { 'pull_request.number': 'forty-two', number: '42' },
      expected: { prNumber: 42 }
    },
    {
      name: 'a release without tag_name uses GITHUB_REF',
      event: 'release' as const,
      payload: { 'release.tag_name': undefined },
      expected: { ref: 'refs/tags/v1.2.3' }
    },
    {
      name: 'the release payload names the tag',
      event: 'release' as const,
      env: { GITHUB_REF: undefined },
      expected: { ref: 'refs/tags/v1.2.3' }
    },
    {
      name: 'a created branch is a branch ref',
      event: 'create-tag' as const,
      env: { GITHUB_REF: undefined },
      payload: { ref: 'hotfix/1.2', ref_type: 'branch' },
      expected: { ref: 'refs/heads/hotfix/1.2' }
    },
    {
      name: 'an unparsable head commit timestamp gives no commit date',
      event: 'push-default-branch' as const,
      payload: { 'head_commit.timestamp': 'yesterday' },
      expected: { commitDate: undefined }
    },
    {
      name: 'without GITHUB_SHA the head commit id is used',
      event: 'push-branch' as const,
      env: { GITHUB_SHA: '' },
      expected: { sha: SHAS.branch }
    },
    {
      name: 'a license GitHub cannot identify gives no license',
      event: 'push-default-branch' as const,
      payload: { 'repository.license.spdx_id': 'NOASSERTION' },
      expected: { repository: { ...WEBAPP, license: undefined } }
    },
    {
      name: 'fields of the wrong type are ignored',
      event: 'push-default-branch' as const,
      payload: { repository: 'acme/webapp', head_commit: 5 },
      expected: {
        commitDate: undefined,
        defaultBranches: ['master', 'main'],
        repository: {
          fullName: 'acme/webapp',
          htmlUrl: 'https://github.com/acme/webapp'
        }
      }
    }
  ])('fallback: $name', ({ event, env, payload, expected }) => {
    const ctx = contextOf(event, { env, payload })
    // toEqual: a key expected as undefined must be absent or undefined.
    const picked = Object.fromEntries(
      Object.keys(expected).map(key => [key, ctx[key as keyof RefContext]])
    )
    expect(picked).toEqual(expected)
  })

  it.each([
    { name: 'null', payload: null },
    { name: 'an array', payload: [] },
    { name: 'a string', payload: 'push' }
  ])('reads a payload that is $name as empty', ({ payload }) => {
    const { env } = loadEvent('push-branch')
    expect(refContextFromRunner(env, payload, '')).toStrictEqual({
      eventName: 'push',
      ref: 'refs/heads/tickets/DM-42',
      sha: SHAS.branch,
      defaultBranches: ['master', 'main'],
      repository: {
        fullName: 'acme/webapp',
        htmlUrl: 'https://github.com/acme/webapp'
      },
      attestationGround: {
        ...GROUND,
        visibility: 'unknown',
        organization: false
      }
    })
  })

  it.each([
    {
      name: 'the job with an ID token',
      env: {
        ACTIONS_ID_TOKEN_REQUEST_URL: 'https://x/t',
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: 't'
      },
      expected: { ...GROUND, idToken: true }
    },
    {
      name: 'a request URL without its token',
      env: { ACTIONS_ID_TOKEN_REQUEST_URL: 'https://x/t' },
      expected: GROUND
    },
    {
      name: 'a private repository by its visibility',
      payload: { 'repository.visibility': 'private' },
      expected: { ...GROUND, visibility: 'private' }
    },
    {
      name: 'an internal repository',
      payload: { 'repository.visibility': 'internal' },
      expected: { ...GROUND, visibility: 'internal' }
    },
    {
      name: 'no visibility, private: true',
      payload: {
        'repository.visibility': undefined,
        'repository.private': true
      },
      expected: { ...GROUND, visibility: 'private' }
    },
    {
      name: 'a user, not an organization, owns it (no storage record)',
      payload: { 'repository.owner.type': 'User' },
      expected: { ...GROUND, organization: false }
    },
    {
      name: 'no visibility, private: false',
      payload: {
        'repository.visibility': undefined,
        'repository.private': false
      },
      expected: GROUND
    },
    {
      name: 'GitHub Enterprise Server',
      env: {
        GITHUB_SERVER_URL: 'https://ghes.example/',
        GITHUB_API_URL: 'https://ghes.example/api/v3/'
      },
      expected: {
        ...GROUND,
        serverUrl: 'https://ghes.example',
        apiUrl: 'https://ghes.example/api/v3'
      }
    }
  ])('attestation ground: $name', ({ env, payload, expected }) => {
    expect(contextOf('push-tag', { env, payload }).attestationGround).toEqual(
      expected
    )
  })

  it.each([
    {
      name: 'no GITHUB_EVENT_NAME',
      event: 'push-branch' as const,
      env: { GITHUB_EVENT_NAME: undefined },
      error: /GITHUB_EVENT_NAME is not set/
    },
    {
      name: 'a push without GITHUB_REF nor payload ref',
      event: 'push-branch' as const,
      env: { GITHUB_REF: '' },
      payload: { ref: undefined },
      error: /git ref of this push event: GITHUB_REF is not set/
    },
    {
      name: 'a GITHUB_REF that is not a full ref',
      event: 'push-branch' as const,
      env: { GITHUB_REF: 'main' },
      error: /GITHUB_REF "main" is not a full git ref/
    },
    {
      name: 'a pull_request_target without a number',
      event: 'pull-request-target' as const,
      payload: { number: undefined, 'pull_request.number': undefined },
      error:
        /pull_request_target event without a pull request number.*GITHUB_REF "refs\/heads\/main"/
    },
    {
      name: 'no commit at all',
      event: 'push-branch' as const,
      env: { GITHUB_SHA: undefined },
      payload: { head_commit: null },
      error: /GITHUB_SHA is not set/
    },
    {
      name: 'no repository anywhere',
      event: 'schedule' as const,
      env: { GITHUB_REPOSITORY: undefined },
      error: /cannot tell the repository: GITHUB_REPOSITORY is not set/
    }
  ])('fails on $name', ({ event, env, payload, error }) => {
    expect(() => contextOf(event, { env, payload })).toThrow(error)
  })
})

describe('defaultBranches', () => {
  it.each([
    {
      name: 'the input wins',
      input: 'trunk',
      detected: 'main',
      expected: ['trunk']
    },
    {
      name: 'the detected branch',
      input: '',
      detected: 'main',
      expected: ['main']
    },
    {
      name: 'master and main',
      input: '',
      detected: undefined,
      expected: ['master', 'main']
    }
  ])('$name', ({ input, detected, expected }) => {
    expect(defaultBranches(input, detected)).toEqual(expected)
  })
})

describe("refContextFromRunner: metadata-action's DOCKER_METADATA_* switches", () => {
  it.each<{
    name: string
    event: EventName
    env: Record<string, string>
    sha: string
  }>([
    {
      name: 'pull_request: the merge commit by default',
      event: 'pull-request',
      env: {},
      sha: SHAS.prMerge
    },
    {
      name: 'pull_request with DOCKER_METADATA_PR_HEAD_SHA=true: the head commit',
      event: 'pull-request',
      env: { DOCKER_METADATA_PR_HEAD_SHA: 'true' },
      sha: SHAS.prHead
    },
    {
      name: 'pull_request_target with DOCKER_METADATA_PR_HEAD_SHA=true: the head commit',
      event: 'pull-request-target',
      env: { DOCKER_METADATA_PR_HEAD_SHA: 'true' },
      sha: SHAS.prHead
    },
    {
      name: 'pull_request with DOCKER_METADATA_PR_HEAD_SHA=false: the merge commit',
      event: 'pull-request',
      env: { DOCKER_METADATA_PR_HEAD_SHA: 'false' },
      sha: SHAS.prMerge
    },
    {
      name: 'a push ignores DOCKER_METADATA_PR_HEAD_SHA',
      event: 'push-default-branch',
      env: { DOCKER_METADATA_PR_HEAD_SHA: 'true' },
      sha: SHAS.main
    }
  ])('$name', ({ event, env, sha }) => {
    expect(contextOf(event, { env }).sha).toBe(sha)
  })

  it.each([
    { name: 'unset: the default 7 (left out)', env: {}, length: undefined },
    {
      name: 'DOCKER_METADATA_SHORT_SHA_LENGTH=12',
      env: { DOCKER_METADATA_SHORT_SHA_LENGTH: '12' },
      length: 12
    }
  ])('short sha length, $name', ({ env, length }) => {
    expect(contextOf('push-branch', { env }).shortShaLength).toBe(length)
  })

  it('a bad DOCKER_METADATA_SHORT_SHA_LENGTH fails before anything runs', () => {
    expect(() =>
      contextOf('push-branch', {
        env: { DOCKER_METADATA_SHORT_SHA_LENGTH: 'x' }
      })
    ).toThrow(/DOCKER_METADATA_SHORT_SHA_LENGTH: invalid value "x"/)
  })
})

describe("refContextFromRunner: the run as build-push-action's provenance names it", () => {
  it.each([
    {
      name: 'a public repository',
      env: { GITHUB_RUN_ID: '77', GITHUB_RUN_ATTEMPT: '2' },
      payload: {},
      expected: {
        url: 'https://github.com/acme/webapp/actions/runs/77/attempts/2',
        privateRepository: false,
        noDefaultAttestations: false
      }
    },
    {
      name: 'a private repository, default attestations turned off',
      env: {
        GITHUB_RUN_ID: '77',
        GITHUB_RUN_ATTEMPT: '1',
        BUILDX_NO_DEFAULT_ATTESTATIONS: '1'
      },
      payload: { 'repository.private': true },
      expected: {
        url: 'https://github.com/acme/webapp/actions/runs/77/attempts/1',
        privateRepository: true,
        noDefaultAttestations: true
      }
    }
  ])('$name', ({ env, payload, expected }) => {
    expect(contextOf('push-tag', { env, payload }).workflowRun).toEqual(
      expected
    )
  })

  it('none without GITHUB_RUN_ID', () => {
    const ctx = contextOf('push-tag', { env: { GITHUB_RUN_ID: undefined } })
    expect(ctx.workflowRun).toBeUndefined()
  })

  it("the run id alone names the legs' handover: a re-run attempt finds them", () => {
    const env = { GITHUB_RUN_ID: '77', GITHUB_RUN_ATTEMPT: '2' }
    expect(contextOf('push-tag', { env }).runId).toBe('77')
  })
})

describe("refContextFromRunner: the run's artifact service (digest legs hand over in it)", () => {
  const RUNNER = {
    GITHUB_RUN_ID: '77',
    GITHUB_RUN_ATTEMPT: '2',
    ACTIONS_RUNTIME_TOKEN: 'a.b.c',
    ACTIONS_RESULTS_URL:
      'https://results-receiver.actions.githubusercontent.com/'
  }
  it.each([
    {
      name: "github.com's runner: the results URL's origin, the run and attempt",
      env: RUNNER,
      expected: {
        url: 'https://results-receiver.actions.githubusercontent.com',
        runId: '77',
        attempt: '2'
      }
    },
    {
      name: 'a ghe.com server',
      env: { ...RUNNER, GITHUB_SERVER_URL: 'https://acme.ghe.com' },
      expected: {
        url: 'https://results-receiver.actions.githubusercontent.com',
        runId: '77',
        attempt: '2'
      }
    },
    {
      name: 'no runtime token (the service is not offered)',
      env: { ...RUNNER, ACTIONS_RUNTIME_TOKEN: undefined },
      expected: undefined
    },
    {
      name: 'no results URL',
      env: { ...RUNNER, ACTIONS_RESULTS_URL: '' },
      expected: undefined
    },
    {
      name: 'GitHub Enterprise Server (@actions/artifact refuses it)',
      env: { ...RUNNER, GITHUB_SERVER_URL: 'https://github.acme.internal' },
      expected: undefined
    },
    {
      name: 'a results URL that is no URL',
      env: { ...RUNNER, ACTIONS_RESULTS_URL: 'not a url' },
      expected: undefined
    }
  ])('$name', ({ env, expected }) => {
    expect(contextOf('push-tag', { env }).artifacts).toEqual(expected)
  })

  it('never holds the token', () => {
    expect(
      JSON.stringify(contextOf('push-tag', { env: RUNNER }))
    ).not.toContain(RUNNER.ACTIONS_RUNTIME_TOKEN)
  })
})
