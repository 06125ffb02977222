/**
 * Logins whose password is a token asked for when the run starts: ECR's (AWS keys or the AWS
 * chain, dist/chunks/ecr.js) and Docker Hub's by OIDC (login-action v4.5's: an empty password
 * with DOCKERHUB_OIDC_CONNECTIONID set; the job's ID token exchanged with Docker's identity
 * service by OAuth 2.0 token exchange, RFC 8693, as login-action's src/dockerhub.ts does).
 */
import { DOCKER_HUB } from '../reference/grammar.js'
import { registryKey } from '../docker/config-file.js'
import { errorMessage } from '../errors/input-error.js'
import { forkGetsNoSecrets, type Login } from '../settings/logins.js'
import type { Settings } from '../settings/settings.js'
import type { Log } from './log.js'

/** Docker's identity service: the ID token's audience, and (unless the test seam) its host. */
const DOCKER_IDENTITY = 'https://identity.docker.com'
/** login-action's Docker Hub names (Docker Hub, Docker Hardened Images); a port allowed. */
const isDockerHub = (registry: string) =>
  registryKey(registry) === DOCKER_HUB ||
  registryKey(registry).replace(/:[0-9]+$/, '') === 'dhi.io'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** login-action's bounds on DOCKERHUB_OIDC_EXPIREIN (seconds; 300 when unset). */
function expiresIn(env: NodeJS.ProcessEnv): string {
  const value = env.DOCKERHUB_OIDC_EXPIREIN?.trim() || '300'
  const seconds = Number(value)
  if (!Number.isInteger(seconds) || seconds < 300 || seconds > 3600)
    throw new Error(
      `DOCKERHUB_OIDC_EXPIREIN "${value}": expected whole seconds from 300 to 3600`
    )
  return value
}

/**
 * Docker Hub's empty-password logins become OIDC logins where DOCKERHUB_OIDC_CONNECTIONID is set.
 */
export function withDockerOidc(
  settings: Settings,
  env: NodeJS.ProcessEnv
): Settings {
  const connection = env.DOCKERHUB_OIDC_CONNECTIONID?.trim() ?? ''
  const oidc = settings.emptyLogins.filter(l => isDockerHub(l.registry))
  if (connection === '' || oidc.length === 0) return settings
  if (!UUID.test(connection))
    throw new Error(
      `DOCKERHUB_OIDC_CONNECTIONID "${connection}" is not a UUID: give the ID of the OIDC ` +
        `connection as Docker Hub shows it`
    )
  expiresIn(env)
  const idToken =
    env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN
  // a fork's pull request gets no ID token, as no secret (GitHub's docs: its GITHUB_TOKEN is
  // read-only and id-token: write is not granted): its login is skipped with the empty secret's
  // one notice (emptySecrets), and the build goes on
  if (!idToken && forkGetsNoSecrets(env.GITHUB_EVENT_NAME ?? ''))
    return settings
  if (!idToken)
    throw new Error(
      `Docker Hub's OIDC login (DOCKERHUB_OIDC_CONNECTIONID is set, the password empty) needs ` +
        `the job's ID token, and ACTIONS_ID_TOKEN_REQUEST_URL is not set: give the job ` +
        `"permissions: id-token: write"`
    )
  const logins = oidc.map(({ registry, username }) => ({
    registry,
    username,
    password: '',
    dockerOidc: true
  }))
  return {
    ...settings,
    logins: [...settings.logins, ...logins],
    emptyLogins: settings.emptyLogins.filter(l => !oidc.includes(l))
  }
}

/** Docker's access token for the job's ID token; both masked as they arrive. */
async function dockerOidcLogin(
  login: Login,
  env: NodeJS.ProcessEnv,
  mask: (secret: string) => void
): Promise<Login[]> {
  // its own chunk, as ECR's: a run without a Docker Hub OIDC login never loads the HTTP client
  const { exchange, requestIdToken } =
    await import('../signing/sigstore-client.js')
  const limits = { timeoutMs: 30_000, retries: 3 }
  const idToken = await requestIdToken(
    env.ACTIONS_ID_TOKEN_REQUEST_URL ?? '',
    env.ACTIONS_ID_TOKEN_REQUEST_TOKEN ?? '',
    DOCKER_IDENTITY,
    limits
  )
  mask(idToken)
  const form = new URLSearchParams({
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
    subject_token: idToken,
    connection_id: env.DOCKERHUB_OIDC_CONNECTIONID?.trim() ?? '',
    expires_in: expiresIn(env)
  })
  // DPA_DOCKER_IDENTITY_URL: a test seam (the tests' stand-in), not for workflows
  const base = env.DPA_DOCKER_IDENTITY_URL || DOCKER_IDENTITY
  const answer = (await exchange(
    `Docker Hub's OIDC token exchange for ${login.registry}`,
    new URL('/oauth/token', base),
    {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'application/json'
      },
      body: form.toString()
    },
    limits
  )) as { access_token?: unknown } | null
  if (typeof answer?.access_token !== 'string' || answer.access_token === '')
    throw new Error(`Docker Hub's OIDC token exchange answered without a token`)
  mask(answer.access_token)
  return [
    {
      registry: login.registry,
      username: login.username,
      password: answer.access_token
    }
  ]
}

/** A token login's docker logins, the AWS SDK loaded only for ECR's. */
async function tokenLogins(
  login: Login,
  env: NodeJS.ProcessEnv,
  log: Pick<Log, 'info' | 'mask'>
): Promise<Login[]> {
  if (login.dockerOidc) {
    log.info(`Docker Hub: exchanging the job's ID token for ${login.registry}`)
    return dockerOidcLogin(login, env, log.mask)
  }
  log.info(`ECR: asking AWS for a login token for ${login.registry}`)
  const { exchangeEcrLogin } = await import('./ecr-token.js')
  return exchangeEcrLogin(login, env, log.mask)
}

/**
 * The token logins exchanged for their tokens; a dry run that cannot get one says so and reads
 * without it.
 */
export async function exchangeTokenLogins(
  settings: Settings,
  { env, log }: { env: NodeJS.ProcessEnv; log: Log }
): Promise<Settings> {
  const asked = (login: Login) =>
    login.ecr === true || login.dockerOidc === true
  if (!settings.logins.some(asked)) return settings
  const logins = settings.logins.filter(login => !asked(login))
  for (const login of settings.logins.filter(asked)) {
    const tokens = await tokenLogins(login, env, log).catch(
      (error: unknown) => {
        if (!settings.dryRun) throw error
        log.warning(`${errorMessage(error)}; the dry run goes without it`)
        return []
      }
    )
    // another account's token (AWS_ACCOUNT_IDS) never replaces a login given
    for (const token of tokens)
      if (!logins.some(other => other.registry === token.registry))
        logins.push(token)
  }
  return { ...settings, logins }
}
