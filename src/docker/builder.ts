/** Which builder will run a build: `docker buildx inspect` (read-only). */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { InputError } from '../errors.js'
import { CLASSIC, type Builder } from '../plan/builder.js'
import { diagnose } from './diagnose.js'
import {
  DockerCommandError,
  isBuildxMissing,
  type DockerRunner
} from './runner.js'

export function inspectArgs(builder: string): string[] {
  return ['buildx', 'inspect', ...(builder === '' ? [] : [builder])]
}

/** The builder's name and driver from `buildx inspect`'s first lines. */
export function parseInspect(stdout: string): Builder {
  const field = (name: string) =>
    new RegExp(`^${name}:\\s*(\\S+)`, 'm').exec(stdout)?.[1] ?? ''
  return { name: field('Name'), driver: field('Driver') }
}

const NO_SUCH_BUILDER = /no builder .* found/i
const DEFAULT_BUILDER: Builder = { name: 'default', driver: 'docker' }

/** What picks buildx's builder besides the input: its config folder and BUILDX_BUILDER. */
export interface BuildxChoice {
  /** The docker config folder whose buildx/current names the current builder. */
  configDir?: string
  env?: NodeJS.ProcessEnv
}

/**
 * Whether buildx would use the context's default builder (the docker
 * driver): no builder named by the input or BUILDX_BUILDER, and buildx's
 * own buildx/current names the default (setup-buildx-action writes its
 * builder's name there). Known without starting buildx; anything else
 * (no such file: buildx may not even be installed) is asked of `buildx inspect`.
 */
export function usesDefaultBuilder(
  name: string,
  { configDir, env = process.env }: BuildxChoice
): boolean {
  if (name !== '' || configDir === undefined || env.BUILDX_BUILDER) return false
  const file = join(configDir, 'buildx', 'current')
  if (!existsSync(file)) return false
  try {
    return (
      (JSON.parse(readFileSync(file, 'utf8')) as { Name?: unknown }).Name === ''
    )
  } catch {
    return false
  }
}
const CONTAINERD_STORE = /io\.containerd\.snapshotter/

/** Which image store the daemon uses (docker info, read-only). */
async function imageStore(
  docker: DockerRunner
): Promise<'containerd' | 'classic'> {
  const { stdout } = await docker.run(
    ['info', '--format', '{{json .DriverStatus}}'],
    { quiet: true }
  )
  return CONTAINERD_STORE.test(stdout) ? 'containerd' : 'classic'
}

/**
 * The builder the `builder` input names, or buildx's current one (what
 * docker/setup-buildx-action made the default); the classic build when
 * buildx is missing; for several platforms on the docker driver, its image
 * store too.
 */
export async function detectBuilder(
  docker: DockerRunner,
  name: string,
  severalPlatforms = false,
  buildxChoice: BuildxChoice = {}
): Promise<Builder> {
  try {
    const builder = usesDefaultBuilder(name, buildxChoice)
      ? DEFAULT_BUILDER
      : parseInspect(
          (await docker.run(inspectArgs(name), { quiet: true })).stdout
        )
    // the docker driver builds several platforms only on containerd's store
    if (severalPlatforms && builder.driver === 'docker')
      return { ...builder, store: await imageStore(docker) }
    return builder
  } catch (error) {
    if (isBuildxMissing(error)) return CLASSIC
    if (
      error instanceof DockerCommandError &&
      NO_SUCH_BUILDER.test(error.output)
    )
      throw new InputError(
        'builder',
        name,
        'no such builder: `docker buildx ls` lists them (docker/setup-buildx-action outputs its name)'
      )
    throw diagnose(error)
  }
}
