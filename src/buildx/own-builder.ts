/**
 * The run's own builder: its buildx state and TLS material in the run's folder, and its removal.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import type { BuildkitEndpoint } from '../settings/buildkit-endpoint.js'
import {
  createBuilderArgs,
  ownNodeRemovalArgs,
  removeBuilderArgs,
  type OwnBuilder
} from '../plan/builder.js'
import { buildxStateDir } from '../docker/buildx-files.js'
import { createDockerRunner, type DockerRunner } from '../docker/runner.js'
import { errorMessage } from '../errors/input-error.js'
import { NOTHING_TO_REMOVE } from '../docker/diagnose.js'

/** BUILDX_CONFIG of the run's own builder: in the run's folder, gone with it. */
export function ownBuildxConfig(runDir: string): string {
  return join(runDir, 'buildx')
}

/** The name of the run's own builder: its folder's, unique on this machine. */
export function ownBuilderName(runDir: string | undefined): string {
  // lower case: buildx names the node, its container and volume so
  return runDir === undefined
    ? 'docker-publish-<run>'
    : basename(runDir).toLowerCase()
}

const TLS_FILES = { cacert: 'ca.pem', cert: 'cert.pem', key: 'key.pem' }
const TLS_NAMES = ['cacert', 'cert', 'key'] as const

/**
 * Where the TLS material goes: `buildkit-tls/` in the run's folder (a placeholder in a dry run).
 */
export function tlsFilePaths(
  runDir: string | undefined,
  remote: BuildkitEndpoint
): Partial<typeof TLS_FILES> {
  const dir = join(runDir ?? '<run-folder>', 'buildkit-tls')
  const paths: Partial<typeof TLS_FILES> = {}
  for (const name of TLS_NAMES)
    if (remote[name] !== '') paths[name] = join(dir, TLS_FILES[name])
  return paths
}

/** The TLS material in its files (700/600): buildx's remote driver reads them by path. */
export function writeTlsFiles(runDir: string, remote: BuildkitEndpoint): void {
  const paths = tlsFilePaths(runDir, remote)
  mkdirSync(join(runDir, 'buildkit-tls'), { recursive: true, mode: 0o700 })
  for (const name of TLS_NAMES)
    if (paths[name] !== undefined)
      writeFileSync(paths[name], `${remote[name]}\n`, { mode: 0o600 })
}

/**
 * The user's buildkitd.default.toml, which `buildx create` would apply to the run's builder too.
 */
export function userBuildkitdConfig(
  env: NodeJS.ProcessEnv,
  userConfigDir: string
): string | undefined {
  const file = join(
    buildxStateDir(env, userConfigDir),
    'buildkitd.default.toml'
  )
  return existsSync(file) ? file : undefined
}

/**
 * The run's own builder removed and made again: a BuildKit that waits on a hung read (a cache
 * import) starts no other build until the read ends, and the step owns this one.
 */
export async function renewOwnBuilder(
  docker: DockerRunner,
  name: string,
  own: OwnBuilder
): Promise<void> {
  await docker.run(removeBuilderArgs(name), { quiet: true })
  await docker.run(createBuilderArgs(name, own), { quiet: true })
}

/** `buildx rm` where the run's state records the builder, else its container and volume by name. */
async function removeOwnBuilder(
  docker: DockerRunner,
  name: string,
  recorded: boolean
): Promise<void> {
  if (recorded) {
    const removed = await docker
      .run(removeBuilderArgs(name), { quiet: true })
      .then(
        () => true,
        () => false
      )
    if (removed) return
  }
  const { node, state } = ownNodeRemovalArgs(name)
  for (const argv of [node, state])
    await docker.run(argv, { quiet: true }).catch((error: unknown) => {
      if (!NOTHING_TO_REMOVE.test(errorMessage(error))) throw error
    })
}

/**
 * The builder a stopped run made, removed after it (post step, CLI interrupt); returns the ms
 * taken.
 */
export async function removeStoppedRunBuilder(
  runDir: string,
  name: string
): Promise<number> {
  const config = ownBuildxConfig(runDir)
  const dockerConfig = join(runDir, 'docker-config')
  const docker = createDockerRunner('docker', {
    BUILDX_CONFIG: config,
    ...(existsSync(dockerConfig) && { DOCKER_CONFIG: dockerConfig })
  })
  const started = performance.now()
  const recorded = existsSync(join(config, 'instances', name.toLowerCase()))
  await removeOwnBuilder(docker, name, recorded)
  return Math.round(performance.now() - started)
}
