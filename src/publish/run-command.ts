/** Runs one docker step of the pipeline and keeps what it learns. */
import { readFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { diagnose, isAuthRefusal } from '../docker/diagnose.js'
import { parseBuildMetadata } from '../docker/metadata.js'
import { retryDocker } from '../docker/retrying.js'
import {
  BuildxMissingError,
  DockerCommandError,
  DockerStalledError,
  isBuildxMissing
} from '../docker/runner.js'
import { InputError } from '../errors.js'
import { sha256Digest } from '../reference/grammar.js'
import type { Image } from '../reference/images.js'
import { RegistryError } from '../registry/errors.js'
import { CLASSIC_STORE_ONE_PLATFORM } from '../plan/build-steps.js'
import type { CommandStep } from '../plan/steps.js'
import type { PublishEnv } from './context.js'
import { pushWatch, stalledError } from './push-watch.js'
import { runCheck } from './run-check.js'
import { runSave } from './image-upload.js'
import type { RunValues } from './values.js'

const MULTI_PLATFORM_UNSUPPORTED =
  /Multi-platform build is not supported for the docker driver/i

/** The value after a flag in argv ('' without the flag). */
function flagValue(argv: string[], flag: string): string {
  const at = argv.indexOf(flag)
  return at >= 0 ? argv[at + 1] : ''
}

function failure(error: unknown, step: CommandStep, env: PublishEnv): unknown {
  if (isBuildxMissing(error)) return new BuildxMissingError()
  const diagnosed = diagnose(error, step.registries, {
    loggedIn: [...env.passwords.keys()],
    emptyPassword: env.emptyPasswords ?? []
  })
  if (diagnosed !== error || !(error instanceof DockerCommandError))
    return diagnosed
  if (MULTI_PLATFORM_UNSUPPORTED.test(error.output))
    return new InputError(
      'platforms',
      flagValue(step.argv, '--platform'),
      CLASSIC_STORE_ONE_PLATFORM
    )
  if (step.step !== 'build') return error
  const tail = error.output.trim().split('\n').slice(-15).join('\n')
  return new Error(`the build failed:\n${tail}`, { cause: error })
}

/** The registry's own answer to the credentials (its passing faults retried). */
async function credentialsAccepted(
  registry: string,
  env: PublishEnv
): Promise<boolean> {
  try {
    await env.registry.checkCredentials(registry)
    return true
  } catch (error) {
    if (error instanceof RegistryError && error.status === 401) return false
    throw error
  }
}

/** Docker steps that write to a registry: retried on a transient fault. */
const RETRIED = new Set(['build', 'index'])

async function run(
  step: CommandStep,
  argv: string[],
  images: Image[],
  env: PublishEnv
): Promise<string> {
  const input =
    step.passwordFor === undefined
      ? undefined
      : env.passwords.get(step.passwordFor)
  const quiet = step.step === 'predict' || step.step === 'cleanup'
  const watch = pushWatch(step, images, env)
  // a retried export starts from an empty folder, so the layout holds no
  // blob of a failed attempt (buildx replaces index.json, not the blobs)
  const fresh = () =>
    step.layout !== undefined && step.step === 'build'
      ? rm(step.layout, { recursive: true, force: true })
      : Promise.resolve()
  const once = () =>
    fresh()
      .then(() => env.docker.run(argv, { input, quiet, stall: watch?.stall }))
      .catch((error: unknown) => {
        // each stop of the watch is told, also one the retry mends
        if (error instanceof DockerStalledError && watch !== undefined)
          env.log.info(
            `stopped: ${stalledError(error, step, watch, env).message}`
          )
        throw error
      })
  const retried = () =>
    retryDocker(once, env.retry, `${step.step} ${argv.join(' ')}`)
  try {
    if (step.step === 'login' || step.step === 'keep-login')
      return (await loginRetried(step, retried, env)).stdout
    const { stdout } = RETRIED.has(step.step) ? await retried() : await once()
    return stdout
  } catch (error) {
    if (error instanceof DockerStalledError && watch !== undefined)
      throw stalledError(error, step, watch, env)
    throw failure(error, step, env)
  }
}

/**
 * dockerd reports a 5xx or 429 on its login ping as 401: when docker login
 * is refused, the project's own client asks the registry whether these
 * credentials are good (retrying its faults). A real refusal fails there,
 * naming the registry; a passing fault gets the login tried again.
 */
async function loginRetried<T>(
  step: CommandStep,
  login: () => Promise<T>,
  env: PublishEnv
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await login()
    } catch (error) {
      if (!isAuthRefusal(error) || attempt >= env.retry.retries) throw error
      if (!(await credentialsAccepted(step.registries[0], env))) throw error
      env.log.info(
        `${step.registries[0]} accepts these credentials: docker login's refusal was a passing fault, so it is tried again`
      )
    }
  }
}

function learnFromBuild(
  argv: string[],
  pushed: Image[],
  values: RunValues
): void {
  const metadataFile = flagValue(argv, '--metadata-file')
  if (metadataFile !== '') {
    values.build = parseBuildMetadata(readFileSync(metadataFile, 'utf8'))
    for (const image of pushed)
      values.setDigest(image.name, values.build.digest)
  }
  const iidFile = flagValue(argv, '--iidfile')
  if (iidFile !== '') {
    const imageId = readFileSync(iidFile, 'utf8').trim()
    values.build = {
      digest: '',
      imageId,
      raw: { 'containerimage.config.digest': imageId }
    }
  }
}

/** Runs a docker step; `images` are the images a pushing build publishes. */
export async function runCommand(
  step: CommandStep,
  images: Image[],
  values: RunValues,
  env: PublishEnv
): Promise<void> {
  const argv = step.argv.map(arg => values.resolve(arg, step.image))
  if (step.step === 'check')
    return runCheck(step, argv, env, error => failure(error, step, env))
  const started = performance.now()
  const timed = () => {
    env.progress.buildMs =
      (env.progress.buildMs ?? 0) + Math.round(performance.now() - started)
  }
  if (step.step === 'save') return runSave(step, argv, env).then(timed)
  const stdout = await run(step, argv, images, env)
  if (step.step === 'build') timed()
  const image = step.image
  if (step.step === 'build')
    learnFromBuild(argv, step.registries.length > 0 ? images : [], values)
  else if (step.step === 'predict' && image !== undefined)
    values.setDigest(image.name, sha256Digest(stdout.replace(/\n$/, '')))
}
