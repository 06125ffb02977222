import { basename } from 'node:path'
import parseSemver from 'semver/functions/parse.js'
import rcompare from 'semver/functions/rcompare.js'
import type { SemVer } from 'semver'
import { dateOf, defaultBranches } from './ref-context.js'
import { BRANCH_PREFIX, TAG_PREFIX } from './git-refs.js'
import type { RefContext, RepositoryInfo } from './context-types.js'

/** Runs one git command; resolves with stdout, rejects on a non-zero exit. */
export interface GitReader {
  run(args: string[], cwd: string): Promise<string>
}

/**
 * The CLI's RefContext of the checkout in cwd: a tag at HEAD is a tag push, else the current
 * branch's push; a detached HEAD without a tag is an Error.
 */
export async function refContextFromGit(
  git: GitReader,
  cwd: string,
  defaultBranchInput: string
): Promise<RefContext> {
  const read = async (args: string[]): Promise<string> =>
    (await git.run(args, cwd)).trim()
  const tryRead = (args: string[]): Promise<string | undefined> =>
    read(args).then(
      out => (out === '' ? undefined : out),
      () => undefined
    )

  const sha = await read(['rev-parse', '--verify', 'HEAD']).catch(
    (error: unknown) => {
      throw new Error(
        `cannot read the commit at HEAD in ${cwd}: not a git checkout, or no commit yet`,
        { cause: error }
      )
    }
  )
  const tag = pickTag((await read(['tag', '--points-at', 'HEAD'])).split(/\s+/))
  const branch = await tryRead(['symbolic-ref', '--short', '-q', 'HEAD'])
  const ref = tag
    ? `${TAG_PREFIX}${tag}`
    : branch && `${BRANCH_PREFIX}${branch}`
  if (!ref)
    throw new Error(
      `HEAD in ${cwd} is detached and no tag points at it: check out a branch or tag the commit`
    )
  const commitDate = dateOf(
    await tryRead(['log', '-1', '--format=%cI', 'HEAD'])
  )
  const originHead = await tryRead([
    'symbolic-ref',
    '--short',
    'refs/remotes/origin/HEAD'
  ])
  return {
    eventName: 'push',
    ref,
    sha,
    defaultBranches: defaultBranches(
      defaultBranchInput,
      originHead?.replace(/^origin\//, '')
    ),
    ...(commitDate && { commitDate }),
    repository: await repositoryInfo(tryRead, cwd)
  }
}

/** The highest version-like tag at HEAD (v1.2.3, 1.2, 2.0.0-rc.1), else the last by name. */
export function pickTag(tags: string[]): string | undefined {
  const versions = tags.flatMap(tag => {
    const version = versionOf(tag)
    return version === null ? [] : [{ tag, version }]
  })
  versions.sort(
    (a, b) => rcompare(a.version, b.version) || a.tag.localeCompare(b.tag)
  )
  if (versions.length > 0) return versions[0].tag
  return [...tags].sort().at(-1)
}

function versionOf(tag: string): SemVer | null {
  const loose = /^v?(\d+)\.(\d+)$/.exec(tag)
  const text = loose ? `${loose[1]}.${loose[2]}.0` : tag.replace(/^v/, '')
  return parseSemver(text)
}

/**
 * owner/name and https URL of a github.com remote (https, ssh://, git@…); credentials in the URL
 * never kept.
 */
export function parseGitHubRemote(url: string): RepositoryInfo | undefined {
  const match =
    /^(?:https?:\/\/(?:[^@/]+@)?|ssh:\/\/(?:[^@/]+@)?|git:\/\/|(?:[^@/]+@))github\.com(?::\d+)?[:/]([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)(?:\.git)?\/?$/.exec(
      url.trim()
    )
  if (!match) return undefined
  const fullName = `${match[1]}/${match[2]}`
  return { fullName, htmlUrl: `https://github.com/${fullName}` }
}

async function repositoryInfo(
  tryRead: (args: string[]) => Promise<string | undefined>,
  cwd: string
): Promise<RepositoryInfo> {
  const remote = await tryRead(['remote', 'get-url', 'origin'])
  const github = remote === undefined ? undefined : parseGitHubRemote(remote)
  if (github) return github
  const top = await tryRead(['rev-parse', '--show-toplevel'])
  return { fullName: basename(top ?? cwd), htmlUrl: '' }
}
