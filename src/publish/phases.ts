/**
 * The executor: runs a pipeline's steps in order and reports what the registry holds, also after a
 * failure.
 */
import type { Settings } from '../settings/settings.js'
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
import { NOTHING_TO_REMOVE, skippedLoginRefusal } from '../docker/diagnose.js'
import { uploadWhileExported } from '../layout/ingest-upload.js'
import {
  seedHeldLayers,
  stillSeeded,
  type BorrowedLayers
} from '../layout/held-layers.js'
import { readsSecretFiles, removeSecretFiles } from '../docker/secret-files.js'
import type { PublishEnv, RunContext } from './run-context.js'
import {
  formatSeconds,
  inPlanOrder,
  RunValues,
  type Held,
  type PublishResult
} from './outcome.js'
import { runCommand } from './docker-steps.js'
import {
  progressLogger,
  readLayersStep,
  removeLayouts,
  runDiscards,
  runStageRequest
} from './stage-steps.js'
import { tag } from './tagging.js'
import { runGate } from './gate.js'
import { confirmed, readBack, readBackAndConverge } from './read-back.js'
import {
  attachReferrers,
  signerFor,
  signPublished,
  verifySource
} from './sign-phase.js'
import { withdrawLeft } from './withdrawal.js'
import { attestStaged } from './provenance-phase.js'
import { recordAccess } from './storage-record.js'
import { identityEvidence } from '../plan/sign-steps.js'

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

/** The builder's last removal: all of it, or its node's state volume after its container. */
const removesBuilder = (step: CommandStep) =>
  step.removes === 'builder' || step.removes === 'state'

const removed = (failure: string | undefined) =>
  failure === undefined || NOTHING_TO_REMOVE.test(failure)

const unresolved = (step: CommandStep, values: RunValues) =>
  step.argv.some(arg => values.resolve(arg, step.image).includes(IMAGE_ID)) ||
  (step.pulled !== undefined && !values.pulledCaches.has(step.pulled))

/** A run of the pipeline: its context, and what its phases leave for the ones after them. */
interface PipelineRun extends RunContext {
  /** The local leftovers exist once a build started (a failed save leaves its image). */
  built: boolean
  /** The last stage command that reads the secret files: they go once it ends. */
  lastSecretReader: Step | undefined
  /** promote: the source's platforms, as its read learnt them. */
  platforms?: string[]
  /** The cleanup, once started: it ends with a function that logs it. */
  cleanup?: () => Promise<void>
  /** The layouts' removal: a big layout takes a while, so it goes beside the tag steps. */
  layoutsRemoved?: Promise<void>
}

/**
 * Starts the cleanup once, beside the registry steps (removing a big image takes seconds); the
 * function returned logs it.
 */
function startCleanup(run: PipelineRun): () => Promise<void> {
  if (run.cleanup !== undefined) return run.cleanup
  const { env, values } = run
  const steps = run.pipeline.cleanup
  const started = performance.now()
  // a build that failed before it named its image left nothing behind
  const remove = (step: CommandStep): Promise<string | undefined> =>
    unresolved(step, values)
      ? Promise.resolve(undefined)
      : runCommand(step, run.publication.images, values, env).then(
          (): undefined => {
            if (removesBuilder(step))
              env.log.info(
                `The builder for this run was removed in ` +
                  `${formatSeconds(performance.now() - started)}`
              )
          },
          (error: unknown) => errorMessage(error)
        )
  // after buildx ended (the builder may still export the cache); the node's state volume once its
  // container is gone, which the engine refuses before
  const nodeEnds = new Map(
    steps
      .filter(step => step.removes === 'node')
      .map(step => [step, values.buildEnd.then(() => remove(step))])
  )
  const nodesGone = Promise.all(nodeEnds.values()).then(ends =>
    ends.every(removed)
  )
  const failures = new Map<Step, Promise<string | undefined>>(
    steps.map(step => [
      step,
      nodeEnds.get(step) ??
        (step.removes === 'state'
          ? nodesGone.then(gone =>
              gone
                ? remove(step)
                : `${step.argv.at(-1)} kept: its container could not be removed`
            )
          : values.buildEnd.then(() => remove(step)))
    ])
  )
  run.cleanup = () =>
    inGroup(env, 'Clean up', steps, async step => {
      const failure = await failures.get(step)
      if (!removed(failure)) env.log.warning(`cleanup: ${failure}`)
    })
  return run.cleanup
}

/**
 * A build that exports a layout: seeded with the layers the registry holds (BuildKit copies none of
 * them out), its big blobs go up while buildx still writes them; the function returned ends that
 * once the image is exported.
 */
function uploadWhileBuilding(
  step: CommandStep,
  { pipeline, env, values }: RunContext
): ((built: boolean) => void) | undefined {
  const { layout } = step
  if (step.step !== 'build' || layout === undefined) return undefined
  const upload = pipeline.stage.find(
    (other): other is RequestStep =>
      !isCommand(other) && other.step === 'upload' && other.layout === layout
  )
  if (upload === undefined) return undefined
  const seeds = seedWhileBuilding(layout, env, values)
  const finishUploads = uploadWhileExported(
    env.registry,
    layout,
    upload.image,
    progressLogger(upload.image, env, 'sent while buildx writes them')
  )
  return built => {
    seeds.exported(built)
    values.earlyUploads.set(upload.image.name, finishUploads())
  }
}

/**
 * The layout seeded with the held layers as soon as the registry has told them, unless the image
 * is exported by then (its layout holds every blob it names): the upload never waits on a slow
 * registry read for a seed that came too late to count. Once exported, what stayed a seed is told.
 */
function seedWhileBuilding(
  layout: string,
  env: PublishEnv,
  values: RunValues
): { exported: (built: boolean) => void } {
  const { heldLayers } = values
  if (heldLayers === undefined) return { exported: () => undefined }
  let exported = false
  let seeding: Promise<BorrowedLayers> | undefined
  const none = (): BorrowedLayers => new Map()
  values.borrowed = heldLayers.then(
    held =>
      exported ? none() : (seeding = seedHeldLayers(layout, held).catch(none)),
    none
  )
  return {
    exported: built => {
      exported = true
      values.borrowed = (seeding ?? Promise.resolve(none()))
        .then(seeded => stillSeeded(layout, seeded))
        .then(kept => (built && logSeeds(kept, env), kept), none)
    }
  }
}

/** The held layers BuildKit did not copy out, in one line. */
function logSeeds(kept: BorrowedLayers, env: PublishEnv): void {
  const n = kept.size
  if (n > 0)
    env.log.info(
      `build: ${n === 1 ? '1 layer' : `${n} layers`} not copied out of the builder: the ` +
        `registry holds ${n === 1 ? 'it' : 'them'} (an earlier image of these tags), and ` +
        `BuildKit writes no blob the layout has`
    )
}

/** One docker step of the login or stage phase, and what it leaves behind. */
async function runDockerStep(run: PipelineRun, step: CommandStep) {
  const { env, values } = run
  // a builder the run makes, or a cache image it pulls, is removed by the cleanup, even half made
  run.built ||= ['build', 'builder', 'cache'].includes(step.step)
  const early = uploadWhileBuilding(step, run)
  const started = performance.now()
  let built = false
  try {
    await runCommand(step, run.publication.images, values, env)
    built = true
    if (step.step === 'builder') {
      env.result.builderSetupMs = Math.round(performance.now() - started)
      env.log.info(
        `The builder for this run was set up in ${formatSeconds(env.result.builderSetupMs)}`
      )
    }
  } finally {
    // buildx may still run (the cache export): they go once it ended
    if (step === run.lastSecretReader)
      void values.buildEnd.then(() => removeSecretFiles(env.tempDir))
    early?.(built)
  }
}

/** One step of the login or stage phase. */
async function runStep(run: PipelineRun, step: Step): Promise<void> {
  const { env, values } = run
  if (isCommand(step)) return runDockerStep(run, step)
  // promote's gate: nothing is copied from a source that does not verify; its reads are one
  // check, made at the last of them
  if (step.step === 'verify')
    return step === run.pipeline.stage.filter(s => s.step === 'verify').at(-1)
      ? verifySource(
          run.settings.signing,
          identityEvidence(run.settings),
          values,
          env
        )
      : undefined
  if (step.step === 'layers')
    return readLayersStep(
      step,
      run.publication.cacheSources,
      values,
      env.cacheRegistry
    )
  const learnt = await runStageRequest(step, values, env).catch(
    (error: unknown) => {
      throw skippedLoginRefusal(error, env.emptyPasswords)
    }
  )
  if (learnt) run.platforms = learnt
}

/** Stages the image, no tag moving; its leftovers' removal starts as it ends. */
async function stage(run: PipelineRun): Promise<void> {
  const { pipeline, env } = run
  await inGroup(env, 'Stage the image (no tag moves yet)', pipeline.stage, s =>
    runStep(run, s)
  ).finally(() => {
    // buildx writes the layout's index.json as it ends
    run.layoutsRemoved = run.values.buildEnd
      .then(() => removeLayouts(pipeline.stage))
      .catch((error: unknown) =>
        env.log.warning(`cleanup: ${errorMessage(error)}`)
      )
  })
  if (run.built) startCleanup(run)
}

/** Reads back what the registry holds for our tags; the pushed list becomes what it confirms. */
async function readBackPhase(run: PipelineRun): Promise<Held[]> {
  const { pipeline, publication, values, env } = run
  const tagged = pipeline.tag.length > 0
  const held = await env.log.group('Read back', async () => {
    if (tagged) return readBackAndConverge(run)
    for (const step of pipeline.readBack) env.log.info(stepLine(step))
    return readBack(pipeline.readBack, env)
  })
  const written = tagged
    ? env.result.pushed
    : held.filter(
        h =>
          h.digest ===
          (values.handovers.get(h.image) ?? values.digestOf(h.image))
      )
  env.result.pushed = inPlanOrder(publication.refs, confirmed(written, held))
  return held
}

/** The result, finished with what the run learnt. */
function finish(
  { env, values, publication, platforms }: PipelineRun,
  held: Held[],
  verify: string[]
): PublishResult {
  const result = env.result
  result.digest =
    values.digestOf(publication.images[0]?.name ?? '') || values.build.digest
  result.digests = publication.images.map(image => values.digestOf(image.name))
  result.imageid = values.build.imageId
  result.metadata = values.build.raw
  result.held = held
  if (platforms !== undefined) result.platforms = platforms
  if (verify.length > 0) result.verify = verify
  return result
}

/** After a failure: what landed, as the registry tells it (as written, if it cannot be read). */
async function confirmLanded({ env, pipeline }: PipelineRun): Promise<void> {
  if (env.result.pushed.length === 0) return
  const held = await readBack(pipeline.readBack, env).catch(() => undefined)
  if (held !== undefined) env.result.pushed = confirmed(env.result.pushed, held)
}

/** Always, at the end, once buildx ended: the secret files, the local leftovers, the layouts. */
async function cleanUp(run: PipelineRun): Promise<void> {
  await run.values.buildEnd
  removeSecretFiles(run.env.tempDir)
  if (run.built) await startCleanup(run)()
  await run.layoutsRemoved
}

export async function runPipeline(
  settings: Settings,
  publication: Publication,
  pipeline: Pipeline,
  env: PublishEnv
): Promise<PublishResult> {
  const values = new RunValues()
  const lastSecretReader = [...pipeline.stage]
    .reverse()
    .find(step => isCommand(step) && readsSecretFiles(step.argv, env.tempDir))
  const run: PipelineRun = {
    settings,
    publication,
    pipeline,
    env,
    values,
    built: false,
    lastSecretReader
  }
  try {
    const signer = signerFor(settings.signing, env.vars)
    await inGroup(env, 'Log in', pipeline.login, step => runStep(run, step))
    await stage(run)
    if (pipeline.readBack.length > 0)
      values.requireDigests(publication.images, 'no tag was pointed')
    for (const gate of pipeline.gate) await runGate(run, gate)
    if (pipeline.tag.length > 0) await tag(run, () => attestStaged(run))
    const held = await readBackPhase(run)
    const supply = await withdrawLeft(pipeline.sign, run)
    const signing = await attachReferrers(
      supply,
      values,
      env,
      recordAccess(run)
    )
    const verify = await signPublished(signing, signer, values, env)
    // last: a merge that failed before here keeps its legs for a re-run
    await runDiscards(pipeline.discard, values, env)
    // the build's metadata, where its image went on before buildx ended
    await values.buildEnd
    return finish(run, held, verify)
  } catch (error) {
    await confirmLanded(run)
    throw error
  } finally {
    await cleanUp(run)
  }
}
