/**
 * The executor: runs a pipeline's steps in its order (log in; stage the
 * image with no tag moving; read the registry fresh; let the guards decide;
 * point exact, then floating tags; read back), and reports what the registry
 * holds for our tags afterwards, also after a failure.
 */
import type { Settings } from '../settings/settings.js'
import type { Image } from '../reference/images.js'
import type { Publication } from '../plan/publication.js'
import { errorMessage } from '../errors/input-error.js'
import {
  IMAGE_ID,
  isCommand,
  runBatches,
  type CommandStep,
  stepLine,
  type Pipeline,
  type RequestStep,
  type Step
} from '../plan/steps.js'
import { skippedLoginRefusal } from '../docker/diagnose.js'
import {
  uploadWhileExported,
  type EarlyUploads
} from '../layout/ingest-upload.js'
import { readsSecretFiles, removeSecretFiles } from '../docker/secret-files.js'
import type { PublishEnv } from './environment.js'
import { inPlanOrder, RunValues, type PublishResult } from './outcome.js'
import { runCommand } from './docker-steps.js'
import {
  progressLogger,
  removeLayouts,
  runDiscards,
  runStageRequest
} from './stage-steps.js'
import { tag } from './tagging.js'
import { confirmed, readBack, readBackAndConverge } from './read-back.js'
import {
  attachReferrers,
  signerFor,
  signPublished,
  verifySource
} from './sign-phase.js'

async function inGroup(
  env: PublishEnv,
  title: string,
  steps: Step[],
  run: (step: Step) => Promise<void>
): Promise<void> {
  if (steps.length === 0) return
  await env.log.group(title, async () => {
    for (const batch of runBatches(steps)) {
      for (const step of batch) env.log.info(stepLine(step))
      // each step of a batch ends before the first failure is told
      const ended = await Promise.allSettled(batch.map(run))
      const failed = ended.find(result => result.status === 'rejected')
      if (failed !== undefined) throw failed.reason
    }
  })
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

const removesBuilder = (step: CommandStep) =>
  step.argv[0] === 'buildx' && step.argv[1] === 'rm'

const NOTHING_TO_REMOVE = /No such image|no builder .* found/i

const unresolved = (step: CommandStep, values: RunValues) =>
  step.argv.some(arg => values.resolve(arg, step.image).includes(IMAGE_ID))

/**
 * Starts the cleanup steps at once (removing the image built into the
 * classic store can take seconds on a big image store, so it runs beside
 * the registry steps); the returned function logs them, and any failure as a
 * warning, once they end.
 */
function startCleanup(
  steps: CommandStep[],
  images: Image[],
  values: RunValues,
  env: PublishEnv
): () => Promise<void> {
  const started = performance.now()
  const failures = new Map<Step, Promise<string | undefined>>(
    steps.map(step => [
      step,
      // a build that failed before it named its image left nothing behind
      unresolved(step, values)
        ? Promise.resolve(undefined)
        : runCommand(step, images, values, env).then(
            (): undefined => {
              if (removesBuilder(step))
                env.log.info(
                  `The builder for this run was removed in ${seconds(performance.now() - started)}`
                )
            },
            (error: unknown) => errorMessage(error)
          )
    ])
  )
  return () =>
    inGroup(env, 'Clean up', steps, async step => {
      const failure = await failures.get(step)
      if (failure !== undefined && !NOTHING_TO_REMOVE.test(failure))
        env.log.warning(`cleanup: ${failure}`)
    })
}

/**
 * A build that exports a layout to upload: its big blobs start up to the
 * first image while buildx still writes them (registry/ingest-upload.ts).
 */
function uploadWhileBuilding(
  step: CommandStep,
  stage: Step[],
  env: PublishEnv
): { image: string; uploads: EarlyUploads } | undefined {
  if (step.step !== 'build' || step.layout === undefined) return undefined
  const upload = stage.find(
    (other): other is RequestStep =>
      !isCommand(other) &&
      other.step === 'upload' &&
      other.layout === step.layout
  )
  if (upload === undefined) return undefined
  const image = upload.image.name
  return {
    image,
    uploads: uploadWhileExported(
      env.registry,
      step.layout,
      upload.image,
      progressLogger(upload.image, env, 'sent while buildx writes them')
    )
  }
}

function requireDigests(images: Image[], values: RunValues): void {
  const unknown = images.filter(image => values.digestOf(image.name) === '')
  if (unknown.length > 0)
    throw new Error(
      `the digest of ${unknown.map(i => i.name).join(', ')} could not be learnt from the build, so no tag was pointed`
    )
}

export async function runPipeline(
  settings: Settings,
  publication: Publication,
  pipeline: Pipeline,
  env: PublishEnv
): Promise<PublishResult> {
  const values = new RunValues()
  let platforms: string[] | undefined
  // the local leftovers exist once a build started (a failed save leaves its image)
  let built = false
  let cleanedUp: (() => Promise<void>) | undefined
  // a big layout takes a while to delete: it goes beside the tag steps
  let layoutsRemoved: Promise<void> | undefined
  const cleanUp = () =>
    (cleanedUp ??= startCleanup(
      pipeline.cleanup,
      publication.images,
      values,
      env
    ))
  // the secret files go once the last command that reads them ends
  const lastSecretReader = [...pipeline.stage]
    .reverse()
    .find(step => isCommand(step) && readsSecretFiles(step.argv, env.tempDir))
  const runStep = async (step: Step) => {
    if (isCommand(step)) {
      // a builder the run makes is removed by the cleanup, even half made
      built ||= step.step === 'build' || step.step === 'builder'
      const early = uploadWhileBuilding(step, pipeline.stage, env)
      const started = performance.now()
      try {
        await runCommand(step, publication.images, values, env)
        if (step.step === 'builder') {
          env.progress.builderSetupMs = Math.round(performance.now() - started)
          env.log.info(
            `The builder for this run was set up in ${seconds(env.progress.builderSetupMs)}`
          )
        }
      } finally {
        if (step === lastSecretReader) removeSecretFiles(env.tempDir)
        if (early !== undefined)
          values.earlyUploads.set(early.image, early.uploads.finish())
      }
    } else if (step.step === 'verify') {
      // promote's gate: nothing is copied from a source that does not verify
      await verifySource(settings.signing, values, env)
    } else {
      const learnt = await runStageRequest(step, values, env).catch(
        (error: unknown) => {
          throw skippedLoginRefusal(error, env.emptyPasswords ?? [])
        }
      )
      if (step.step === 'source') platforms = learnt
    }
  }
  try {
    const signer = signerFor(settings.signing, env.vars ?? {})
    await inGroup(env, 'Log in', pipeline.login, runStep)
    await inGroup(
      env,
      'Stage the image (no tag moves yet)',
      pipeline.stage,
      runStep
    ).finally(() => {
      layoutsRemoved = removeLayouts(pipeline.stage).catch((error: unknown) =>
        env.log.warning(`cleanup: ${errorMessage(error)}`)
      )
    })
    if (built) cleanUp()
    if (pipeline.readBack.length > 0) requireDigests(publication.images, values)
    if (pipeline.tag.length > 0)
      await tag(settings, publication, pipeline, values, env)
    const held = await env.log.group('Read back', async () => {
      if (pipeline.tag.length > 0)
        return readBackAndConverge(
          pipeline.readBack,
          publication,
          values,
          env,
          settings.floatingGuard
        )
      for (const step of pipeline.readBack) env.log.info(stepLine(step))
      return readBack(pipeline.readBack, env)
    })
    const written =
      pipeline.tag.length > 0
        ? env.progress.pushed
        : held.filter(
            h =>
              h.digest ===
              (values.handovers.get(h.image) ?? values.digestOf(h.image))
          )
    env.progress.pushed = inPlanOrder(
      publication.refs,
      confirmed(written, held)
    )
    const signing = await attachReferrers(pipeline.sign, values, env)
    const verify = await signPublished(signing, signer, values, env)
    // last: a merge that failed before here keeps its legs for a re-run
    await runDiscards(pipeline.discard, values, env)
    return {
      digest:
        values.digestOf(publication.images[0]?.name ?? '') ||
        values.build.digest,
      imageid: values.build.imageId,
      metadata: values.build.raw,
      pushed: env.progress.pushed,
      skipped: env.progress.skipped,
      held,
      platforms: platforms ?? env.progress.platforms,
      uploads: env.progress.uploads,
      ...(verify.length === 0 ? {} : { verify }),
      before: env.progress.before,
      buildMs: env.progress.buildMs,
      ...(env.progress.builderSetupMs === undefined
        ? {}
        : { builderSetupMs: env.progress.builderSetupMs }),
      ...(env.progress.nodes === undefined
        ? {}
        : { nodes: env.progress.nodes }),
      ...(env.progress.cache === undefined
        ? {}
        : { cache: env.progress.cache }),
      ...(env.progress.check === undefined ? {} : { check: env.progress.check })
    }
  } catch (error) {
    // what landed, as the registry tells it (as written, if it cannot be read)
    if (env.progress.pushed.length > 0) {
      const held = await readBack(pipeline.readBack, env).catch(() => undefined)
      if (held !== undefined)
        env.progress.pushed = confirmed(env.progress.pushed, held)
    }
    throw error
  } finally {
    removeSecretFiles(env.tempDir)
    if (built) await cleanUp()()
    await layoutsRemoved
  }
}
