/**
 * Runs the real docker CLI (argv, never a shell string) and reports how it
 * ended instead of throwing, so tests can assert on failures too.
 */
import { spawn } from 'node:child_process'

export interface DockerResult {
  code: number | null
  stdout: string
  stderr: string
}

export interface DockerOptions {
  /** Added to this process's env (DOCKER_HOST, DOCKER_CONFIG, PATH...). */
  env?: Record<string, string>
  /** Written to stdin (e.g. a password for --password-stdin). */
  input?: string
}

export function runDocker(
  args: string[],
  options: DockerOptions = {}
): Promise<DockerResult> {
  const child = spawn('docker', args, {
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  child.stdin.end(options.input ?? '')
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', code => resolve({ code, stdout, stderr }))
  })
}
