/**
 * Runs the real docker CLI (argv, never a shell string) and reports how it
 * ended instead of throwing, so tests can assert on failures too.
 */
import { spawn } from 'node:child_process'
import { sharingEngine } from './engine-lock.js'

export interface DockerResult {
  /** null: ended by a signal (`killAfterMs` ran out). */
  code: number | null
  stdout: string
  stderr: string
}

export interface DockerOptions {
  /** Added to this process's env (DOCKER_HOST, DOCKER_CONFIG, PATH...). */
  env?: Record<string, string>
  /** Written to stdin (e.g. a password for --password-stdin). */
  input?: string
  /**
   * Runs a push again (twice at most) when the registry answered 500.
   * distribution 2.8's filesystem storage rewrites a tag's link file in
   * place, and docker 26 (containerd store) sends a HEAD for the tag while
   * its own PUT of it is in flight: the HEAD can read the empty file and get
   * a 500 "invalid checksum digest format". The action retries its pushes
   * on a 5xx (src/docker/retrying.ts); plain docker in a test does not.
   */
  retryRegistry500?: boolean
  /** Kills the command (SIGKILL) when it runs longer: a hang's bound. */
  killAfterMs?: number
}

const REGISTRY_500 = /500 Internal Server Error/
const REGISTRY_500_RETRIES = 2

export async function runDocker(
  args: string[],
  options: DockerOptions = {}
): Promise<DockerResult> {
  const retry = options.retryRegistry500 === true
  let result = await runDockerOnce(args, options)
  for (let n = 0; retry && n < REGISTRY_500_RETRIES; n++) {
    if (result.code === 0 || !REGISTRY_500.test(result.stderr)) break
    result = await runDockerOnce(args, options)
  }
  return result
}

function runDockerOnce(
  args: string[],
  options: DockerOptions
): Promise<DockerResult> {
  const env = { ...process.env, ...options.env }
  // a build holds its engine's lock shared, as a step does (engine-lock.ts)
  const builds =
    args[0] === 'build' || args.slice(0, 2).join(' ') === 'buildx build'
  const [command, ...lead] = builds
    ? [...sharingEngine(env.DOCKER_HOST), 'docker']
    : ['docker']
  const child = spawn(command, [...lead, ...args], {
    env,
    stdio: ['pipe', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  // a command that exits before it reads stdin closes the pipe (EPIPE): its exit code tells
  child.stdin.on('error', () => undefined)
  child.stdin.end(options.input ?? '')
  const deadline =
    options.killAfterMs === undefined
      ? undefined
      : setTimeout(() => child.kill('SIGKILL'), options.killAfterMs)
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', code => {
      clearTimeout(deadline)
      resolve({ code, stdout, stderr })
    })
  })
}
