import type { Credentials } from '../settings/logins.js'
import { errorMessage } from '../errors/input-error.js'
import { runProcess } from './process.js'

const NOT_FOUND = /credentials not found/i

/**
 * `docker-credential-<helper> get`, as docker runs it; a `<token>` user means an identity token.
 */
export async function askCredentialHelper(
  helper: string,
  server: string,
  env: NodeJS.ProcessEnv
): Promise<Credentials | undefined> {
  const program = `docker-credential-${helper}`
  const result = await runProcess(program, ['get'], {
    input: server,
    quiet: true,
    env
  }).catch((error: unknown) => {
    throw new Error(
      `the docker config names the credential helper "${helper}", but ${program} could not be ` +
        `run: ${errorMessage(error)}`
    )
  })
  if (result.exitCode !== 0) {
    if (NOT_FOUND.test(result.stdout + result.stderr)) return undefined
    throw new Error(
      `${program} get ${server} failed with exit code ${result.exitCode}: ` +
        `${(result.stderr || result.stdout).trim().split('\n')[0]}`
    )
  }
  const answer = JSON.parse(result.stdout) as {
    Username?: string
    Secret?: string
  }
  if (!answer.Secret) return undefined
  return answer.Username === '<token>'
    ? { username: '<token>', password: '', identityToken: answer.Secret }
    : { username: answer.Username ?? '', password: answer.Secret }
}
