import { hasPullRequestPayload } from '../context/git-refs.js'
import { InputError } from '../errors/input-error.js'
import { parseRegistry, REGISTRY_ALLOWED } from '../reference/repository.js'
import { ecrRegistry } from './ecr-registry.js'
import { hasControlCharacter, type InputSource } from './parse.js'
import type { Credentials } from './basic-credentials.js'

export { encodedCredentials, type Credentials } from './basic-credentials.js'

/** The credentials the inputs give for one registry. */
export interface Login extends Credentials {
  registry: string
  /** ECR: username and password are AWS keys (both empty: the AWS chain), exchanged for a token. */
  ecr?: boolean
  /** Docker Hub by OIDC: the password is the job's ID token exchanged with Docker's identity. */
  dockerOidc?: boolean
}

/**
 * A login whose password came empty (a fork's pull request): skipped, or an error (emptySecrets).
 */
export interface EmptyLogin {
  registry: string
  /** The username given beside it (a Docker Hub OIDC login takes it). */
  username: string
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
  const ecr = ecrMode(source('ecr'), 'ecr')
  const targets = [...new Set(registry !== '' ? [registry] : registries)]
  // no keys: an ECR `registry` (or every registry with ecr: true) logs in with the AWS chain's
  // credentials, as login-action; the images' alone keep the docker config's (amazon-ecr-login's)
  const chain = registry !== '' || ecr === 'true'
  if (username === '' && password === '')
    return chain
      ? targets.flatMap(r =>
          isEcr(ecr, r, 'ecr')
            ? [{ registry: r, username: '', password: '', ecr: true }]
            : []
        )
      : []
  if (username === '')
    throw new InputError(
      'username',
      '',
      'a password was given, so a username is needed too'
    )
  return targets.map(r => ({
    registry: r,
    username,
    password,
    ...(isEcr(ecr, r, 'ecr') && { ecr: true })
  }))
}

/** login-action's `ecr`: auto (by the registry's name), true or false. */
function ecrMode(value: string, input: string): string {
  const mode = value.trim().toLowerCase() || 'auto'
  if (!['auto', 'true', 'false'].includes(mode))
    throw new InputError(input, value, 'expected auto, true or false')
  return mode
}

/**
 * Whether a registry's login is exchanged with ECR; `true` on a name ECR's API cannot place is an
 * error.
 */
function isEcr(mode: string, registry: string, input: string): boolean {
  const named = ecrRegistry(registry) !== undefined
  if (mode === 'true' && !named)
    throw new InputError(
      input,
      'true',
      `${registry} is not an ECR registry name (<account>.dkr.ecr.<region>.amazonaws.com, ` +
        `public.ecr.aws and their other forms), from which the AWS region and account are read: ` +
        `name the registry so, or ecr: false`
    )
  return mode !== 'false' && named
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
    const login: Login = {
      registry: stringField(entry, 'registry'),
      username: stringField(entry, 'username'),
      password: stringField(entry, 'password')
    }
    // YAML reads ecr: false as a boolean
    const ecr = entry.ecr
    const mode = ecrMode(
      typeof ecr === 'boolean' ? String(ecr) : stringField(entry, 'ecr'),
      input
    )
    if (login.registry !== '' && isEcr(mode, login.registry, input)) {
      checkRegistry(login.registry, input)
      return { ...login, ecr: true }
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

/** login-action's `scope`, refused by name: it would change the login. */
function refuseScope(source: InputSource) {
  const scope = source('scope').trim()
  if (scope !== '')
    throw new InputError(
      'scope',
      scope,
      "login-action's scope (credentials for some repositories only, in a docker config of " +
        'their own) is not supported: log in with credentials for the registry, or run ' +
        'docker/login-action before this step'
    )
}

/**
 * All credentials, one per registry (a `logins` entry wins); empty passwords set apart, never
 * logged in.
 */
export async function parseLogins(
  source: InputSource,
  registries: string[]
): Promise<{ logins: Login[]; emptyLogins: EmptyLogin[] }> {
  refuseScope(source)
  const byRegistry = new Map<string, Login>()
  const list = loginListInput(source)
  const listed = await listLogins(list.input, list.text)
  for (const login of [...pairLogins(source, registries), ...listed])
    byRegistry.set(login.registry, login)
  const all = [...byRegistry.values()]
  // where an empty password was given: the pair's input, or the list's entry
  const emptyAt = ({ registry, username }: Login, index: number) =>
    index < 0
      ? { registry, username, input: 'password', value: '' }
      : {
          registry,
          username,
          input: list.input,
          value: `entry ${index + 1} (registry ${registry})`
        }
  // an ECR login without keys takes the AWS chain's: not an empty secret
  const given = (login: Login) =>
    login.password !== '' || (login.ecr === true && login.username === '')
  return {
    logins: all.filter(given),
    emptyLogins: all
      .filter(login => !given(login))
      .map(login => emptyAt(login, listed.indexOf(login)))
  }
}

/** Events whose runs get no secrets (nor the job's ID token) when they come from a fork. */
export const forkGetsNoSecrets = (eventName: string) =>
  hasPullRequestPayload(eventName) && eventName !== 'pull_request_target'

/**
 * The trio's way with an empty secret: its login skipped with a notice (returned); an error only
 * outside a pull request on a run that pushes there.
 */
export function emptySecrets(
  empty: EmptyLogin[],
  eventName: string,
  pushedRegistries: string[]
): string[] {
  const fork = forkGetsNoSecrets(eventName)
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
