/**
 * One run, as the Action and the CLI both call it: the plan, the checks, then the dry or the real
 * run.
 */
import { promoteSource, type Settings } from '../settings/settings.js'
import { createdTime, runTime } from '../context/run-time.js'
import type { RefContext } from '../context/context-types.js'
import { checkLocalInputs } from '../docker/local-inputs.js'
import { dirname } from 'node:path'
import { makeRunDir, removeRunDir } from '../docker/run-folder.js'
import { errorMessage } from '../errors/input-error.js'
import { UNKNOWN_DIGEST_NOTE } from '../guards/reasons.js'
import { describePublication, type Publication } from '../plan/publication.js'
import { planText } from '../plan/text.js'
import {
  allSteps,
  DIGEST,
  publicStep,
  type Pipeline,
  type PlanStep
} from '../plan/steps.js'
import { credentialsLookup } from '../docker/credentials.js'
import { dryRunPipeline } from './pipeline-assembly.js'
import type { Log } from './log.js'
import type { PublishEnv } from './run-context.js'
import { emptyResult, RunValues, type PublishResult } from './outcome.js'
import { exchangeTokenLogins, withDockerOidc } from './token-logins.js'
import type { CleanupOutcome } from '../cleanup/cleanup-run.js'

/** What a run needs from its adapter. */
export interface RunIo {
  log: Log
  cwd: string
  env: NodeJS.ProcessEnv
  /**
   * The wall clock: every age and mark (clean-up, rollback's withdrawn mark) is read from it, never
   * from SOURCE_DATE_EPOCH, which stamps only what the build writes.
   */
  clock: () => Date
  /** The ref being published: GITHUB_* and the event on a runner, git locally. */
  refContext(defaultBranch: string): Promise<RefContext>
  /** The plan as text, and its steps (the Action's `plan` output). */
  showPlan(text: string, steps: PlanStep[]): Promise<void>
  /**
   * The run's private folder, once made (the Action's post step removes it, should the run stop).
   */
  onRunDir?: (dir: string) => void
  /**
   * The run's own builder, named before it is made (the post step removes it, should the run stop).
   */
  onOwnBuilder?: (runDir: string, name: string) => void
  /**
   * The folder of cache entries the run leaves unwritten, handed to the post step, which writes
   * them; given, new entries of GitHub's cache service are spooled and written beside the release.
   */
  onCacheSpool?: (dir: string) => void
  /** What landed before a failure (the Action's outputs and job summary). */
  reportFailure?: (publication: Publication, landed: PublishResult) => void
  /** A publish's or a dry run's outcome (the Action's outputs and job summary). */
  reportPublished?: (outcome: RunOutcome) => void
  /** mode cleanup's outcome: what was removed (a dry run: what would be), what a re-read kept. */
  reportCleanup?: (outcome: CleanupOutcome) => void
}

export interface RunOutcome {
  publication: Publication
  steps: PlanStep[]
  result: PublishResult
}

async function computePlan(
  settings: Settings,
  io: RunIo
): Promise<Publication> {
  const ctx = await io.refContext(settings.defaultBranch)
  const epoch = io.env.SOURCE_DATE_EPOCH
  const now = runTime(epoch, io.clock)
  return describePublication(
    settings,
    ctx,
    now,
    createdTime(epoch, ctx.commitDate, now)
  )
}

async function showPlan(
  publication: Publication,
  pipeline: Pipeline,
  io: RunIo,
  guards: string[] = []
): Promise<PlanStep[]> {
  const steps = allSteps(pipeline).map(publicStep)
  await io.showPlan(planText(publication, steps, guards, pipeline.cache), steps)
  return steps
}

/** The registries of the publication's images there are credentials for (a dry run reads those). */
async function readableRegistries(
  settings: Settings,
  publication: Publication,
  { log, env }: RunIo
): Promise<Set<string>> {
  const lookup = credentialsLookup(settings.logins, log.mask, env)
  const readable = new Set<string>()
  for (const registry of new Set(publication.images.map(i => i.registry)))
    if ((await lookup(registry)) !== undefined) readable.add(registry)
  return readable
}

/**
 * What the guards would decide, by the run's own read where there are credentials; an unreadable
 * registry is said so.
 */
async function previewGuards(
  settings: Settings,
  publication: Publication,
  pipeline: Pipeline,
  readable: Set<string>,
  { log, env }: RunIo
): Promise<string[]> {
  if (pipeline.read.length === 0) return []
  const notes = publication.images
    .filter(i => !readable.has(i.registry))
    .map(
      i =>
        `${i.name}: not read (no credentials for ${i.registry}), so the guards' decisions are ` +
        `unknown`
    )
  // the withdrawn read waits for a digest: promote's and rollback's are known
  const steps = pipeline.read.filter(
    s =>
      readable.has(s.image.registry) &&
      (s.reference !== DIGEST || s.step === 'withdrawn')
  )
  if (steps.length === 0) return notes
  try {
    // a dry run without credentials never loads the registry's client and reads
    const [{ readAndDecide }, { createRegistry }] = await Promise.all([
      import('./registry-read.js'),
      import('./registry-clients.js')
    ])
    const registry = createRegistry(settings, log, env)
    const values = new RunValues()
    if (settings.mode === 'promote' || settings.mode === 'rollback') {
      const source = promoteSource(settings)
      const digest =
        (await registry.getDigest(source.image, source.reference)) ?? ''
      for (const image of publication.images)
        values.setDigest(image.name, digest)
    }
    const outcome = await readAndDecide(steps, settings, publication, values, {
      registry
    })
    const unknown = publication.images.some(i => values.digestOf(i.name) === '')
    const existing = outcome.states.some(
      s => Object.keys(s.existingDigests).length > 0
    )
    return [
      ...outcome.lines,
      ...(unknown && existing ? [UNKNOWN_DIGEST_NOTE] : []),
      ...notes
    ]
  } catch (error) {
    return [
      `the registries could not be read, so the guards' decisions are unknown: ` +
        `${errorMessage(error)}`
    ]
  }
}

async function dryRun(
  settings: Settings,
  publication: Publication,
  io: RunIo
): Promise<RunOutcome> {
  const readable = await readableRegistries(settings, publication, io)
  const first = publication.images[0]
  const pipeline = await dryRunPipeline(
    settings,
    publication,
    first !== undefined && readable.has(first.registry),
    io
  )
  const guards = await previewGuards(
    settings,
    publication,
    pipeline,
    readable,
    io
  )
  return {
    publication,
    steps: await showPlan(publication, pipeline, io, guards),
    result: emptyResult()
  }
}

async function publish(
  settings: Settings,
  publication: Publication,
  io: RunIo
): Promise<RunOutcome> {
  const tempDir = makeRunDir(io.env.RUNNER_TEMP || undefined)
  // told first: should this process be stopped, the post step removes the folder (and its logins)
  io.onRunDir?.(tempDir)
  // loaded only when publishing: a dry run never parses the publish code (its own chunks)
  const [{ runPipeline }, { startRun }] = await Promise.all([
    import('./phases.js'),
    import('./run-setup.js')
  ])
  let started: PublishEnv | undefined
  try {
    // a daemon or builder that cannot be reached fails here, before any step
    const { pipeline, env, builder } = await startRun(
      settings,
      publication,
      io.log,
      tempDir,
      {
        cwd: io.cwd,
        env: io.env,
        clock: io.clock,
        ...(io.onCacheSpool && { spoolIn: dirname(tempDir) })
      }
    )
    started = env
    if (builder.own !== undefined) io.onOwnBuilder?.(tempDir, builder.name)
    const steps = await showPlan(publication, pipeline, io)
    const result = await runPipeline(settings, publication, pipeline, env)
    return { publication, steps, result }
  } catch (error) {
    // what landed before the failure, in the log and by the adapter
    const landed = started?.result ?? emptyResult()
    if (landed.pushed.length === 0)
      io.log.info('No tag was pointed before the failure.')
    else
      io.log.info(
        `In the registry before the ` +
          `failure:\n${landed.pushed.map(p => `  ${p.ref}@${p.digest}`).join('\n')}`
      )
    io.reportFailure?.(publication, landed)
    throw error
  } finally {
    await Promise.allSettled([
      finishCache(started, io),
      started?.registryRelays?.close()
    ])
    // a folder that cannot go is told, never failed (the post step tries again)
    try {
      removeRunDir(tempDir)
    } catch (error) {
      io.log.warning(`cleanup: ${errorMessage(error)}`)
    }
  }
}

/**
 * The cache relay ended: its spooled entries not yet written handed to the post step, what was
 * written and dropped told in the log and the summary (the warning once, where entries dropped).
 */
async function finishCache(
  started: PublishEnv | undefined,
  io: RunIo
): Promise<void> {
  const finished = await started?.cacheRelay?.finish()
  if (finished === undefined || started === undefined) return
  if (finished.handedOver !== undefined) io.onCacheSpool?.(finished.handedOver)
  const words = finished.words
  if (words === undefined) return
  io.log.info(words.line)
  if (words.warning !== undefined) io.log.warning(words.warning)
  started.result.cache = [...(started.result.cache ?? []), words.summary]
}

/** Plans, checks the local inputs, then runs for real or dry. */
export async function run(given: Settings, io: RunIo): Promise<RunOutcome> {
  const oidc = withDockerOidc(given, io.env)
  const publication = await computePlan(oidc, io)
  checkLocalInputs(oidc, { cwd: io.cwd, env: io.env })
  const settings = await exchangeTokenLogins(oidc, io)
  for (const notice of publication.notices) io.log.notice(notice)
  for (const remark of publication.remarks ?? []) io.log.info(remark)
  for (const warning of publication.warnings) io.log.warning(warning)
  if (settings.mode === 'cleanup')
    return cleanupOutcome(settings, publication, io)
  const outcome = settings.dryRun
    ? await dryRun(settings, publication, io)
    : await publish(settings, publication, io)
  for (const skipped of outcome.result.skipped)
    io.log.warning(`${skipped.ref} was left alone: ${skipped.reason}`)
  io.reportPublished?.(outcome)
  return outcome
}

/** mode cleanup: no steps, the registry API only. */
async function cleanupOutcome(
  settings: Settings,
  publication: Publication,
  io: RunIo
): Promise<RunOutcome> {
  const ctx = await io.refContext(settings.defaultBranch)
  // its own chunk: neither a publish nor a dry run loads it
  const [{ runCleanup }, { createRegistry }] = await Promise.all([
    import('../cleanup/cleanup-run.js'),
    import('./registry-clients.js')
  ])
  const client = createRegistry(settings, io.log, io.env)
  const cleanup = await runCleanup(settings, {
    client,
    ctx,
    now: io.clock(),
    githubApiUrl: io.env.GITHUB_API_URL || 'https://api.github.com',
    showPlan: (text, steps) => io.showPlan(text, steps),
    info: line => io.log.info(line),
    warn: line => io.log.warning(line)
  })
  io.reportCleanup?.(cleanup)
  return { publication, steps: [], result: emptyResult() }
}
