import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  type GitReader,
  parseGitHubRemote,
  pickTag,
  refContextFromGit
} from '../../../src/context/git-context.js'
import { execGit } from '../../../src/cli/git-exec.js'

const SHA = '3f786850e387550fdab836ed7e6dc881de23001b'
const CWD = '/home/dev/src/webapp'

/** git answers by command line; a missing one fails like a non-zero exit. */
type Answers = Record<string, string | undefined>

const CHECKOUT: Answers = {
  'rev-parse --verify HEAD': `${SHA}\n`,
  'tag --points-at HEAD': '',
  'symbolic-ref --short -q HEAD': 'main\n',
  'log -1 --format=%cI HEAD': '2024-11-05T14:32:10+01:00\n',
  'symbolic-ref --short refs/remotes/origin/HEAD': 'origin/main\n',
  'remote get-url origin': 'https://github.com/acme/webapp.git\n',
  'rev-parse --show-toplevel': `${CWD}\n`
}

function fakeGit(changes: Answers = {}): GitReader {
  const answers: Answers = { ...CHECKOUT, ...changes }
  return {
    run(args: string[], cwd: string): Promise<string> {
      const answer = cwd === CWD ? answers[args.join(' ')] : undefined
      return answer === undefined
        ? Promise.reject(new Error(`git ${args.join(' ')} failed (exit 1)`))
        : Promise.resolve(answer)
    }
  }
}

describe('refContextFromGit', () => {
  it('reads a branch checkout', async () => {
    await expect(refContextFromGit(fakeGit(), CWD, '')).resolves.toStrictEqual({
      eventName: 'push',
      ref: 'refs/heads/main',
      sha: SHA,
      defaultBranches: ['main'],
      commitDate: new Date('2024-11-05T13:32:10Z'),
      repository: {
        fullName: 'acme/webapp',
        htmlUrl: 'https://github.com/acme/webapp'
      }
    })
  })

  it.each([
    {
      name: 'a tag at HEAD wins over the branch',
      git: { 'tag --points-at HEAD': 'v1.2.3\n' },
      ref: 'refs/tags/v1.2.3'
    },
    {
      name: 'the highest version among several tags',
      git: {
        'tag --points-at HEAD': 'latest-build\nv1.10.0\nv1.10.0-rc.1\nv1.9.0\n'
      },
      ref: 'refs/tags/v1.10.0'
    },
    {
      name: 'a loose X.Y tag counts as a version',
      git: { 'tag --points-at HEAD': 'v1.10.0\nv2.0\n' },
      ref: 'refs/tags/v2.0'
    },
    {
      name: 'the last name when no tag is a version',
      git: { 'tag --points-at HEAD': 'deploy-2024-10\ndeploy-2024-11\n' },
      ref: 'refs/tags/deploy-2024-11'
    },
    {
      name: 'a detached HEAD with a tag',
      git: {
        'symbolic-ref --short -q HEAD': undefined,
        'tag --points-at HEAD': 'v2.0.0-rc.1\n'
      },
      ref: 'refs/tags/v2.0.0-rc.1'
    },
    {
      name: 'a branch with slashes',
      git: { 'symbolic-ref --short -q HEAD': 'tickets/DM-42\n' },
      ref: 'refs/heads/tickets/DM-42'
    }
  ])('ref: $name', async ({ git, ref }) => {
    const ctx = await refContextFromGit(fakeGit(git), CWD, '')
    expect(ctx.ref).toBe(ref)
  })

  it.each([
    {
      name: 'the input wins',
      git: {},
      input: 'develop',
      expected: ['develop']
    },
    {
      name: 'origin/HEAD names it',
      git: {
        'symbolic-ref --short refs/remotes/origin/HEAD': 'origin/trunk\n'
      },
      input: '',
      expected: ['trunk']
    },
    {
      name: 'without origin/HEAD master and main both count',
      git: { 'symbolic-ref --short refs/remotes/origin/HEAD': undefined },
      input: '',
      expected: ['master', 'main']
    }
  ])('default branch: $name', async ({ git, input, expected }) => {
    const ctx = await refContextFromGit(fakeGit(git), CWD, input)
    expect(ctx.defaultBranches).toEqual(expected)
  })

  it.each([
    {
      name: 'https with .git',
      remote: 'https://github.com/acme/webapp.git',
      expected: {
        fullName: 'acme/webapp',
        htmlUrl: 'https://github.com/acme/webapp'
      }
    },
    {
      name: 'https without .git, trailing slash',
      remote: 'https://github.com/acme/web.app/',
      expected: {
        fullName: 'acme/web.app',
        htmlUrl: 'https://github.com/acme/web.app'
      }
    },
    {
      name: 'https with credentials, never kept',
      remote: 'https://x-access-token:ghs_abc123@github.com/acme/webapp.git',
      expected: {
        fullName: 'acme/webapp',
        htmlUrl: 'https://github.com/acme/webapp'
      }
    },
    {
      name: 'scp-like git@',
      remote: 'git@github.com:acme/webapp.git',
      expected: {
        fullName: 'acme/webapp',
        htmlUrl: 'https://github.com/acme/webapp'
      }
    },
    {
      name: 'ssh:// with a port',
      remote: 'ssh://git@github.com:22/acme/webapp',
      expected: {
        fullName: 'acme/webapp',
        htmlUrl: 'https://github.com/acme/webapp'
      }
    },
    {
      name: 'not GitHub: the folder name, no URL',
      remote: 'https://gitlab.com/acme/webapp-fork.git',
      expected: { fullName: 'webapp', htmlUrl: '' }
    },
    {
      name: 'no origin: the folder name, no URL',
      remote: undefined,
      expected: { fullName: 'webapp', htmlUrl: '' }
    }
  ])('repository from the remote: $name', async ({ remote, expected }) => {
    const git = fakeGit({ 'remote get-url origin': remote })
    const ctx = await refContextFromGit(git, CWD, '')
    expect(ctx.repository).toStrictEqual(expected)
  })

  it('falls back to the cwd name when the top level is unknown', async () => {
    const git = fakeGit({
      'remote get-url origin': undefined,
      'rev-parse --show-toplevel': undefined
    })
    const ctx = await refContextFromGit(git, CWD, '')
    expect(ctx.repository).toStrictEqual({ fullName: 'webapp', htmlUrl: '' })
  })

  it('leaves out a commit date git does not give', async () => {
    const git = fakeGit({ 'log -1 --format=%cI HEAD': 'not a date\n' })
    const ctx = await refContextFromGit(git, CWD, '')
    expect(ctx).not.toHaveProperty('commitDate')
  })

  it.each([
    {
      name: 'a detached HEAD without a tag',
      git: { 'symbolic-ref --short -q HEAD': undefined },
      error:
        /HEAD in \/home\/dev\/src\/webapp is detached and no tag points at it/
    },
    {
      name: 'no commit',
      git: { 'rev-parse --verify HEAD': undefined },
      error:
        /cannot read the commit at HEAD .*not a git checkout, or no commit yet/
    }
  ])('fails on $name', async ({ git, error }) => {
    await expect(refContextFromGit(fakeGit(git), CWD, '')).rejects.toThrow(
      error
    )
  })
})

describe('pickTag', () => {
  it.each([
    { name: 'no tag', tags: [], expected: undefined },
    {
      name: 'stable above its pre-release',
      tags: ['v2.0.0-rc.1', 'v2.0.0'],
      expected: 'v2.0.0'
    },
    {
      name: 'numeric, not lexical',
      tags: ['1.9.0', '1.10.0'],
      expected: '1.10.0'
    },
    {
      name: 'a version above any name',
      tags: ['zzz', '0.0.1'],
      expected: '0.0.1'
    },
    {
      name: 'a CalVer X.Y tag is a version',
      tags: ['2024.11', 'v1.0.0'],
      expected: '2024.11'
    },
    {
      name: 'a dated name is no version',
      tags: ['v0.1.0', 'deploy-2024-11'],
      expected: 'v0.1.0'
    }
  ])('$name', ({ tags, expected }) => {
    expect(pickTag(tags)).toBe(expected)
  })
})

describe('parseGitHubRemote', () => {
  it.each([
    { name: 'another host', url: 'git@gitlab.com:acme/webapp.git' },
    {
      name: 'a look-alike host',
      url: 'https://github.com.evil.example/acme/webapp'
    },
    { name: 'a path without owner', url: 'https://github.com/webapp' },
    { name: 'a local path', url: '/srv/git/webapp.git' }
  ])('rejects $name', ({ url }) => {
    expect(parseGitHubRemote(url)).toBeUndefined()
  })
})

describe('refContextFromGit with the real git', () => {
  let dir: string
  const git = (...args: string[]): Promise<string> => execGit.run(args, dir)
  const asTester = [
    '-c',
    'user.name=Test',
    '-c',
    'user.email=test@example.com',
    '-c',
    'commit.gpgsign=false',
    '-c',
    'tag.gpgsign=false'
  ]

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dpa-git-'))
    await git('init', '-q', '-b', 'trunk')
    await git(...asTester, 'commit', '-q', '--allow-empty', '-m', 'first')
    await git('remote', 'add', 'origin', 'git@github.com:acme/webapp.git')
  })

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true })
  })

  it('reads the branch, then the tags placed on HEAD', async () => {
    const sha = (await git('rev-parse', 'HEAD')).trim()
    const onBranch = await refContextFromGit(execGit, dir, '')
    expect(onBranch).toMatchObject({
      eventName: 'push',
      ref: 'refs/heads/trunk',
      sha,
      defaultBranches: ['master', 'main'],
      repository: {
        fullName: 'acme/webapp',
        htmlUrl: 'https://github.com/acme/webapp'
      }
    })
    expect(onBranch.commitDate).toBeInstanceOf(Date)

    await git('tag', 'v1.0.0')
    await git(...asTester, 'tag', '-a', 'v1.1.0', '-m', 'Release 1.1.0')
    const onTag = await refContextFromGit(execGit, dir, '')
    expect(onTag.ref).toBe('refs/tags/v1.1.0')
  })

  it('rejects a failing command with the command, exit code and stderr', async () => {
    await expect(git('rev-parse', '--verify', 'no-such-ref')).rejects.toThrow(
      /git rev-parse --verify no-such-ref failed in .* \(exit 128\): fatal: /
    )
  })

  it('rejects in a folder that is not a checkout', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'dpa-nogit-'))
    try {
      await expect(refContextFromGit(execGit, empty, '')).rejects.toThrow(
        /not a git checkout, or no commit yet/
      )
    } finally {
      rmSync(empty, { recursive: true, force: true })
    }
  })
})
