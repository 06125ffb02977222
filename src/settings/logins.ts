import { hasPullRequestPayload } from '../context/git-refs.js'
import { InputError } from '../errors/input-error.js'
import { parseRegistry, REGISTRY_ALLOWED } from '../reference/repository.js'
import { hasControlCharacter, type InputSource } from './parse.js'

/** A registry's credentials, from the inputs, docker's config or a credential helper. */
export interface Credentials {
  username: string
  password: string
  /** An OAuth2 refresh token (docker's identitytoken) instead of a password. */
  identityToken?: string
}

/** The credentials the inputs give for one registry. */
export interface Login extends Credentials {
  registry: string
}

/**
 * A login whose password came empty (a fork's pull request): skipped, or an error (emptySecrets).
 */
export interface EmptyLogin {
  registry: string
  /** The input that held the empty secret, and its value as errors quote it. */
  input: string
  value: string
}

const LOGINS_ALLOWED =
  'expected a YAML list of entries with registry, username and password, ' +
  'e.g. "- registry: ghcr.io\\n  username: me\\n  password: ${{ secrets.TOKEN }}"'

/** A registry as docker login accepts it (host[:port], or a URL of one), as docker keeps it. */
export function checkRegistry(value: string, input: string): string {
  try {
    return parseRegistry(value).registry
  } catch {
    throw new InputError(input, value, REGISTRY_ALLOWED)
  }
}

/** A username docker login can take: no line break or other control character. */
export function checkUsername(value: string, input: string): string {
  if (hasControlCharacter(value))
    throw new InputError(
      input,
      value,
      'expected a user name on one line, without control characters'
    )
  return value
}

/** The pair for `registry`, else the images' registries (not `source`'s: a run's value). */
function pairLogins(source: InputSource, registries: string[]): Login[] {
  const given = source('registry').trim()
  const registry = given === '' ? '' : checkRegistry(given, 'registry')
  const username = checkUsername(source('username').trim(), 'username')
  const password = source('password')
  if (username === '' && password === '') return []
  if (username === '')
    throw new InputError(
      'username',
      '',
      'a password was given, so a username is needed too'
    )
  const targets = registry !== '' ? [registry] : registries
  return [...new Set(targets)].map(r => ({ registry: r, username, password }))
}

function stringField(entry: Record<string, unknown>, key: string): string {
  const value = entry[key]
  return typeof value === 'string' || typeof value === 'number'
    ? String(value).trim()
    : ''
}

/** The input that holds the YAML list, if any; both at once is an error. */
function loginListInput(source: InputSource): { input: string; text: string } {
  // registry-auth: login-action's name for the same YAML list
  const given = ['logins', 'registry-auth']
    .map(input => ({ input, text: source(input) }))
    .filter(list => list.text.trim() !== '')
  if (given.length > 1)
    throw new InputError(
      'registry-auth',
      '(given beside logins)',
      "registry-auth is login-action's name for this action's logins input: give only one of " +
        'registry-auth and logins'
    )
  return given[0] ?? { input: 'logins', text: '' }
}

/** Entries of the `logins` (or `registry-auth`) YAML list; the error never quotes a password. */
async function listLogins(input: string, text: string): Promise<Login[]> {
  if (text.trim() === '') return []
  let parsed: unknown
  try {
    // loaded only when used (a large part of start-up); CommonJS: its exports are the default
    const { default: yaml } = await import('yaml')
    parsed = yaml.parse(text)
  } catch {
    throw new InputError(input, '(not valid YAML)', LOGINS_ALLOWED)
  }
  if (!Array.isArray(parsed))
    throw new InputError(input, '(not a list)', LOGINS_ALLOWED)
  return parsed.map((item: unknown, index) => {
    const entry = (item ?? {}) as Record<string, unknown>
    const login = {
      registry: stringField(entry, 'registry'),
      username: stringField(entry, 'username'),
      password: stringField(entry, 'password')
    }
    // an empty password is an unset secret: emptySecrets decides on it
    const missing = (['registry', 'username'] as const).filter(
      key => login[key] === ''
    )
    if (missing.length > 0)
      throw new InputError(
        input,
        `entry ${index + 1}${login.registry ? ` (registry ${login.registry})` : ''}`,
        `${missing.join(' and ')} missing; ${LOGINS_ALLOWED}`
      )
    const registry = checkRegistry(login.registry, input)
    checkUsername(login.username, input)
    return { ...login, registry }
  })
}

const ECR_HOST =
  /^(?:https?:\/\/)?[0-9]{12}\.dkr\.ecr(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?(?:\/|$)/i

/** login-action's `scope` and `ecr`, refused by name where they would change the login. */
function refuseLoginActionOnly(source: InputSource, registries: string[]) {
  const scope = source('scope').trim()
  if (scope !== '')
    throw new InputError(
      'scope',
      scope,
      "login-action's scope (credentials for some repositories only, in a docker config of " +
        'their own) is not supported: log in with credentials for the registry, or run ' +
        'docker/login-action before this step'
    )
  const ecr = source('ecr').trim().toLowerCase()
  if (!['', 'auto', 'true', 'false'].includes(ecr))
    throw new InputError('ecr', ecr, 'expected auto, true or false')
  const onEcr = [source('registry').trim(), ...registries].some(r =>
    ECR_HOST.test(r)
  )
  if (ecr === 'true' || (ecr === 'auto' && onEcr))
    throw new InputError(
      'ecr',
      ecr,
      "login-action's ECR token exchange is not supported: run aws-actions/amazon-ecr-login " +
        'first (its docker credentials are used), or pass the token it gives as password with ' +
        'ecr: false'
    )
}

/**
 * All credentials, one per registry (a `logins` entry wins); empty passwords set apart, never
 * logged in.
 */
export async function parseLogins(
  source: InputSource,
  registries: string[]
): Promise<{ logins: Login[]; empty: EmptyLogin[] }> {
  refuseLoginActionOnly(source, registries)
  const byRegistry = new Map<string, Login>()
  const list = loginListInput(source)
  const listed = await listLogins(list.input, list.text)
  for (const login of [...pairLogins(source, registries), ...listed])
    byRegistry.set(login.registry, login)
  const all = [...byRegistry.values()]
  // where an empty password was given: the pair's input, or the list's entry
  const emptyAt = ({ registry }: Login, index: number) =>
    index < 0
      ? { registry, input: 'password', value: '' }
      : {
          registry,
          input: list.input,
          value: `entry ${index + 1} (registry ${registry})`
        }
  return {
    logins: all.filter(login => login.password !== ''),
    empty: all
      .filter(login => login.password === '')
      .map(login => emptyAt(login, listed.indexOf(login)))
  }
}

/**
 * The trio's way with an empty secret: its login skipped with a notice (returned); an error only
 * outside a pull request on a run that pushes there.
 */
export function emptySecrets(
  empty: EmptyLogin[],
  eventName: string,
  pushedRegistries: string[]
): string[] {
  // events whose runs get no secrets when they come from a fork
  const fork =
    hasPullRequestPayload(eventName) && eventName !== 'pull_request_target'
  return empty.map(({ registry, input, value }) => {
    if (!fork && pushedRegistries.includes(registry))
      throw new InputError(
        input,
        value,
        `the password is empty (a secret that is not set reads as empty), and this run pushes ` +
          `to ${registry}, which needs it: set the secret, or push: false`
      )
    const why = fork
      ? `on a ${eventName} event (GitHub gives a fork's pull request no secrets)`
      : 'and this run pushes nothing'
    return (
      `Login to ${registry} skipped: input "${input}" gave an empty password ${why}; reads ` +
      `from ${registry} go without credentials`
    )
  })
}
