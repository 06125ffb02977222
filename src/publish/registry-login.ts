/**
 * A login by the project's own client: the registry asked whether it takes
 * the credentials (Basic, or a token from its realm, as `docker login` asks),
 * then the credentials written to the run's docker config where `docker
 * login` would write them, for the docker commands that come later.
 */
import { storeLogin } from '../docker/config.js'
import { errorMessage } from '../shared/input-error.js'
import type { RequestStep } from '../plan/steps.js'
import { RegistryError } from '../registry/registry-error.js'
import type { PublishEnv } from './environment.js'

const NETWORK =
  /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|connection refused|no response within/i

/** A refusal or an unreachable registry said in one line; never the password. */
function loginFailure(
  error: unknown,
  registry: string,
  username: string
): unknown {
  if (error instanceof RegistryError && error.status === 401)
    return new Error(
      `registry ${registry} refused the credentials: wrong username or password for user ${JSON.stringify(username)} (HTTP 401)`,
      { cause: error }
    )
  const message = errorMessage(error)
  if (!NETWORK.test(message)) return error
  const detail = message.replace(`registry ${registry}: `, '')
  return new Error(`registry ${registry} is unreachable (${detail})`, {
    cause: error
  })
}

/** Runs a login step: checked with the registry, then stored in the run's config. */
export async function logIn(step: RequestStep, env: PublishEnv): Promise<void> {
  const { registry } = step.image
  const username = step.username ?? ''
  const password = env.passwords.get(registry)
  if (password === undefined)
    throw new Error(`login: no password for ${registry}`)
  try {
    await env.registry.checkCredentials(registry)
  } catch (error) {
    throw loginFailure(error, registry, username)
  }
  storeLogin(env.dockerConfig, registry, { username, password })
}
