/** The machine the figures come from, and the prerequisites of each part. */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { availableParallelism, cpus } from 'node:os'
import { join } from 'node:path'
import { ROOT } from '../../test/e2e/runner.js'
import { stackEnv, type StackRegistry } from '../../test/support/stack-env.js'
import { Skip } from './part.js'

/**
 * test/e2e/runner.ts finds the repository two folders above the running
 * bundle (esbuild leaves import.meta.dirname as is): the bundle must be
 * built into .bench/run/.
 */
export function checkRoot(): void {
  const manifest = join(ROOT, 'package.json')
  const name = existsSync(manifest)
    ? (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name
    : undefined
  if (name !== 'docker-publish-action')
    throw new Error(
      `the bench bundle must sit two folders below the repository (.bench/run/index.js); ${ROOT} is not it`
    )
}

function version(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 20_000
    }).trim()
  } catch {
    return 'not available'
  }
}

export function printMachine(): void {
  const docker = version('docker', [
    'version',
    '--format',
    'client {{.Client.Version}}, daemon {{.Server.Version}}'
  ])
  console.log(`node     ${process.version}`)
  console.log(`docker   ${docker}`)
  console.log(`buildx   ${version('docker', ['buildx', 'version'])}`)
  // overlayfs: the containerd image store; overlay2 and the like: the classic one
  const driver = version('docker', ['info', '--format', '{{.Driver}}'])
  console.log(
    `engine   ${process.env.DOCKER_HOST ?? 'default socket'}, storage driver ${driver}`
  )
  console.log(`cores    ${availableParallelism()} (${cpus()[0]?.model ?? '?'})`)
}

export function requireDist(...entries: string[]): void {
  for (const entry of entries)
    if (!existsSync(join(ROOT, entry)))
      throw new Skip(`${entry} is missing (run npm run build)`)
}

/** Docker with buildx and the stack's registry A, or a Skip saying what is missing. */
export async function requireStack(): Promise<StackRegistry> {
  if (
    version('docker', ['version', '--format', '{{.Server.Version}}']) ===
    'not available'
  )
    throw new Skip(
      'docker is not usable (no CLI on PATH or no daemon): bash scripts/stack/stack.sh up'
    )
  if (version('docker', ['buildx', 'version']) === 'not available')
    throw new Skip('docker buildx is not installed')
  let registry: StackRegistry
  try {
    registry = stackEnv().a
  } catch (error) {
    throw new Skip(error instanceof Error ? error.message : String(error))
  }
  const answer = await fetch(`http://${registry.host}/v2/`).catch(() => null)
  if (answer === null)
    throw new Skip(
      `registry A (${registry.host}) does not answer: bash scripts/stack/stack.sh up`
    )
  await answer.body?.cancel()
  return registry
}
