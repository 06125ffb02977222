/**
 * The builder a run makes for itself: its buildx state in the run's own
 * folder (so nothing of the user's buildx state changes), the remote
 * BuildKit's TLS material written there (mode 600), and its removal.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import type { BuildkitEndpoint } from '../settings/buildkit-endpoint.js'
import { removeBuilderArgs } from '../plan/builder.js'
import { buildxStateDir } from './buildx-files.js'
import type { DockerRunner } from './runner.js'
import { errorMessage } from '../shared/input-error.js'

/** BUILDX_CONFIG of the run's own builder: in the run's folder, gone with it. */
export function ownBuildxConfig(runDir: string): string {
  return join(runDir, 'buildx')
}

/** The name of the run's own builder: its folder's, unique on this machine. */
export function ownBuilderName(runDir: string | undefined): string {
  return runDir === undefined ? 'docker-publish-<run>' : basename(runDir)
}

const TLS_FILES = { cacert: 'ca.pem', cert: 'cert.pem', key: 'key.pem' }

/** Where the TLS material goes: `buildkit-tls/` in the run's folder (a placeholder in a dry run). */
export function tlsFilePaths(
  runDir: string | undefined,
  remote: BuildkitEndpoint
): { cacert?: string; cert?: string; key?: string } {
  const dir = join(runDir ?? '<run-folder>', 'buildkit-tls')
  const paths: { cacert?: string; cert?: string; key?: string } = {}
  for (const name of ['cacert', 'cert', 'key'] as const)
    if (remote[name] !== '') paths[name] = join(dir, TLS_FILES[name])
  return paths
}

/**
 * Writes the TLS material to its files (folder 700, files 600): buildx's
 * remote driver reads them by path at each connection; they go with the
 * run's folder (and the post step's removal after a cancel).
 */
export function writeTlsFiles(runDir: string, remote: BuildkitEndpoint): void {
  const paths = tlsFilePaths(runDir, remote)
  mkdirSync(join(runDir, 'buildkit-tls'), { recursive: true, mode: 0o700 })
  for (const name of ['cacert', 'cert', 'key'] as const) {
    const path = paths[name]
    if (path !== undefined)
      writeFileSync(path, `${remote[name]}\n`, { mode: 0o600 })
  }
}

/**
 * The user's buildkitd.default.toml, which `buildx create` would apply: the
 * run's builder gets it too, although its buildx state is elsewhere.
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

const NOT_THERE = /No such (container|volume)/i

/**
 * The post step's removal after a cancel: `buildx rm` in the run's buildx
 * state where it still records the builder, else (or should buildx fail)
 * a docker-container builder's container and volume by the names buildx
 * gives them (a remote builder has nothing more on this machine).
 */
export async function removeOwnBuilder(
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
  const container = `buildx_buildkit_${name}0`
  const quietly = (argv: string[]) =>
    docker.run(argv, { quiet: true }).catch((error: unknown) => {
      if (!NOT_THERE.test(errorMessage(error))) throw error
    })
  await quietly(['rm', '--force', '--volumes', container])
  await quietly(['volume', 'rm', '--force', `${container}_state`])
}
