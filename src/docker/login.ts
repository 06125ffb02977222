import type { Login } from '../action/logins.js'
import { errorMessage } from '../errors.js'
import type { Log } from '../log.js'
import { diagnose } from './diagnose.js'
import { loginArgs, logoutArgs } from './login-args.js'
import { retryDocker, type RetryPolicy } from './retrying.js'
import type { DockerRunner } from './runner.js'

/**
 * Logs in to each registry with the password on stdin. `onLoggedIn` runs
 * right after each success, so the post step can undo exactly those even if
 * a later login fails.
 */
export async function loginAll(
  docker: DockerRunner,
  logins: Login[],
  onLoggedIn: (registry: string) => void,
  retry: RetryPolicy
): Promise<void> {
  for (const login of logins) {
    try {
      await retryDocker(
        () =>
          docker.run(loginArgs(login.registry, login.username), {
            input: login.password
          }),
        retry,
        `login to ${login.registry}`
      )
    } catch (error) {
      throw diagnose(error, [login.registry])
    }
    onLoggedIn(login.registry)
  }
}

/** Logs out of each registry; a failure is a warning, never an error. */
export async function logoutAll(
  docker: DockerRunner,
  registries: string[],
  log: Log
): Promise<void> {
  for (const registry of registries) {
    try {
      await docker.run(logoutArgs(registry), { quiet: true })
      log.info(`Logged out of ${registry}`)
    } catch (error) {
      log.warning(`logout of ${registry} failed: ${errorMessage(error)}`)
    }
  }
}
