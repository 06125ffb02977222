/**
 * build-push-action's default context: the Git URL of the run's commit, which BuildKit fetches
 * itself.
 */
import { envValue, type Env } from './metadata-env.js'

/** Where `{{defaultContext}}` points in an Actions run. */
export interface GitContextSource {
  /** `<server>/<owner>/<name>.git#<commit>`: the context build-push-action builds. */
  url: string
}

/** GITHUB_SERVER_URL, else the server build-push-action assumes when the runner sets none. */
export function serverUrlOf(env: Env): string {
  const value = envValue(env, 'GITHUB_SERVER_URL') ?? 'https://github.com'
  return value.replace(/\/+$/, '')
}

// build-push-action's switch: a pull request builds refs/pull/N/head (the
// PR's head commit), not the merge commit
const PR_HEAD_SWITCH = 'DOCKER_DEFAULT_GIT_CONTEXT_PR_HEAD_REF'

function fullRef(ref: string, env: Env): string {
  if (!ref.startsWith('refs/')) return `refs/heads/${ref}`
  if (
    ref.startsWith('refs/pull/') &&
    /^(1|t|true)$/i.test(env[PR_HEAD_SWITCH]?.trim() ?? '')
  )
    return ref.replace(/\/merge$/, '/head')
  return ref
}

function prHeadSha(payload: unknown): string | undefined {
  type Payload = { pull_request?: { head?: { sha?: unknown } } } | null
  const sha = (payload as Payload)?.pull_request?.head?.sha
  return typeof sha === 'string' && sha !== '' ? sha : undefined
}

/**
 * What follows `#`, as build-push-action pins it: GITHUB_SHA (PR_HEAD_SWITCH: the PR's head), else
 * the ref.
 */
function gitContextRef(env: Env, payload: unknown): string {
  const ref = fullRef(env.GITHUB_REF?.trim() ?? '', env)
  if (ref.startsWith('refs/pull/') && ref.endsWith('/head'))
    return prHeadSha(payload) ?? ref
  return envValue(env, 'GITHUB_SHA') ?? ref
}

/** The run's Git context, or undefined outside an Actions run. */
export function gitContextFromRunner(
  env: Env,
  payload: unknown
): GitContextSource | undefined {
  const repository = env.GITHUB_REPOSITORY?.trim() ?? ''
  if (!/^[^/\s]+\/[^/\s]+$/.test(repository)) return undefined
  const commit = gitContextRef(env, payload)
  return { url: `${serverUrlOf(env)}/${repository}.git#${commit}` }
}
