/**
 * The build context as build-push-action has it, and github-token for Git contexts on the server.
 */
import { InputError } from '../errors/input-error.js'
import { splitSecret } from './secret-lines.js'
import type { GitContextSource } from '../context/git-source.js'
import type { InputSource } from './parse.js'

const DEFAULT_CONTEXT = '{{defaultContext}}'

/** Where `{{defaultContext}}` points and which server github-token is for. */
export interface ContextOrigin {
  /** The Actions run's Git context; undefined in the CLI, where it is the checkout (`.`). */
  git?: GitContextSource
  /** An Actions run whose runner named no repository: `{{defaultContext}}` is refused. */
  runner: boolean
  /** GITHUB_SERVER_URL: Git contexts on it get github-token. */
  serverUrl: string
}

/** The CLI's: `{{defaultContext}}` is the local checkout. */
export const LOCAL_ORIGIN: ContextOrigin = {
  runner: false,
  serverUrl: 'https://github.com'
}

const EXPRESSION = /\{\{\s*([^}]*?)\s*\}\}/
const DEFAULT_FORM = /^\{\{\s*defaultContext\s*\}\}(?::(.*))?$/s

const ALLOWED =
  '{{defaultContext}} (the Git context of the commit) alone or as {{defaultContext}}:subdir, a ' +
  'path or a URL'

/** A folder of the repository: relative, inside it, nothing BuildKit would read as a ref. */
function checkSubdir(subdir: string, input: string, value: string): string {
  const parts = subdir.split('/')
  if (
    subdir === '' ||
    subdir.startsWith('/') ||
    /[\s#:\\]/.test(subdir) ||
    parts.includes('..')
  )
    throw new InputError(
      input,
      value,
      `the subdir after {{defaultContext}}: must be a folder of the repository (relative, ` +
        `without .., spaces, # or :), e.g. {{defaultContext}}:docker/app`
    )
  return subdir.replace(/\/+$/, '')
}

/** `value` with `{{defaultContext}}` put in; a value without it as it is. */
export function expandContext(
  value: string,
  input: string,
  origin: ContextOrigin
): string {
  if (!EXPRESSION.test(value)) return value
  const form = DEFAULT_FORM.exec(value)
  if (form === null)
    throw new InputError(
      input,
      value,
      `the only expression here is ${ALLOWED}; it starts the value`
    )
  const subdir =
    form[1] === undefined ? '.' : checkSubdir(form[1], input, value)
  if (origin.git === undefined) {
    if (origin.runner)
      throw new InputError(
        input,
        value,
        'the Git context needs GITHUB_REPOSITORY and GITHUB_SHA, which the Actions runner sets: ' +
          'set a path or a URL'
      )
    return subdir
  }
  return subdir === '.' ? origin.git.url : `${origin.git.url}:${subdir}`
}

/** `name=value` build-contexts lines with `{{defaultContext}}` put in their value. */
export function expandBuildContexts(
  lines: string[],
  origin: ContextOrigin
): string[] {
  return lines.map(line => {
    const at = line.indexOf('=')
    if (at <= 0) return line
    const value = expandContext(line.slice(at + 1), 'build-contexts', origin)
    return `${line.slice(0, at)}=${value}`
  })
}

/** metadata-action's values of its own `context` input. */
const METADATA_CONTEXTS = ['git', 'workflow']

/** The build context (empty: `{{defaultContext}}`); metadata-action's `git|workflow` is refused. */
export function parseContext(
  source: InputSource,
  mode: string,
  origin: ContextOrigin
): string {
  const context = source('context').trim()
  if (METADATA_CONTEXTS.includes(context))
    throw new InputError(
      'context',
      context,
      `here "context" is the build context directory or URL (build-push-action's meaning), not ` +
        `metadata-action's source of the ref: ` +
        `the ref always comes from the event. Drop the metadata-action line, or write ` +
        `./${context} for a directory of that name`
    )
  if (context !== '') return expandContext(context, 'context', origin)
  if (mode !== 'build' && mode !== 'digest') return '.'
  return expandContext(DEFAULT_CONTEXT, 'context', origin)
}

function hostOf(url: string): URL | undefined {
  return URL.canParse(url) ? new URL(url) : undefined
}

/** Whether a context is a Git URL on the run's server (same scheme and host). */
export function onServer(context: string, serverUrl: string): boolean {
  const server = hostOf(serverUrl)
  const url = hostOf(context)
  return (
    server !== undefined &&
    url !== undefined &&
    url.protocol === server.protocol &&
    url.host === server.host
  )
}

/**
 * The secret giving github-token to BuildKit, for a Git context on the server (as
 * build-push-action); none where the user's secret lines (checked already) give one.
 */
export function gitAuthSecret(
  token: string,
  build: { context: string } & Record<
    'buildContexts' | 'secrets' | 'secretFiles' | 'secretEnvs',
    string[]
  >,
  origin: ContextOrigin
): string[] {
  if (token === '') return []
  // the id BuildKit reads the token of a Git context on the server from
  const id = `GIT_AUTH_TOKEN.${hostOf(origin.serverUrl)?.host ?? ''}`
  const userLines = [
    ...build.secrets,
    ...build.secretFiles,
    ...build.secretEnvs
  ]
  const userIds = userLines.map((line, index) => splitSecret(line, index).id)
  if (userIds.some(user => user === 'GIT_AUTH_TOKEN' || user === id)) return []
  const contexts = [
    build.context,
    ...build.buildContexts.map(line => line.slice(line.indexOf('=') + 1))
  ]
  if (!contexts.some(context => onServer(context, origin.serverUrl))) return []
  return [`${id}=${token}`]
}
