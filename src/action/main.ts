import * as core from '@actions/core'
import { readActionSettings } from './inputs.js'
import { actionLog, appendSummary, info } from './log.js'
import { EMPTY_RESULT, type PublishResult } from '../publish/result.js'
import { setActionOutputs } from './publish-outputs.js'
import { pushes, type Settings } from '../settings/settings.js'
import { checkLocalInputs } from '../publish/preflight.js'
import { saveState } from './state.js'
import { summaryMarkdown } from './summary.js'
import { createdTime, runTime } from '../context/run-time.js'
import { readEventPayload } from '../context/event-file.js'
import { refContextFromRunner } from '../context/ref-context.js'
import { errorMessage } from '../errors.js'
import { planPublish, type PublishPlan } from '../plan/plan.js'
import { planText } from '../plan/text.js'
import {
  allSteps,
  publicStep,
  type Pipeline,
  type PlanStep
} from '../plan/steps.js'
import type { Progress } from '../publish/tagging.js'
import { makeRunDir } from '../publish/run-dir.js'

function computePlan(settings: Settings): PublishPlan {
  const ctx = refContextFromRunner(
    process.env,
    readEventPayload(process.env.GITHUB_EVENT_PATH),
    settings.defaultBranch
  )
  const epoch = process.env.SOURCE_DATE_EPOCH
  const now = runTime(epoch, () => new Date())
  return planPublish(
    settings,
    ctx,
    now,
    createdTime(epoch, ctx.commitDate, now)
  )
}

/** Says what landed before a failure: the log, the outputs and the job summary. */
async function reportPartial(
  settings: Settings,
  plan: PublishPlan,
  progress: Progress
): Promise<void> {
  core.setOutput('pushed', JSON.stringify(progress.pushed))
  core.setOutput('skipped', JSON.stringify(progress.skipped))
  const landed = { ...EMPTY_RESULT, ...progress }
  await appendSummary(
    summaryMarkdown(
      plan,
      landed,
      'Failed: what the registry holds of this run',
      settings.build.platforms
    )
  )
  if (progress.pushed.length === 0) {
    info('No tag was pointed before the failure.')
    return
  }
  const lines = progress.pushed.map(p => `  ${p.ref}@${p.digest}`)
  info(`In the registry before the failure:\n${lines.join('\n')}`)
}

async function printPlan(
  plan: PublishPlan,
  pipeline: Pipeline,
  guards: string[] = []
): Promise<PlanStep[]> {
  const steps = allSteps(pipeline).map(publicStep)
  await core.group('Plan', () =>
    Promise.resolve(info(planText(plan, steps, guards)))
  )
  core.setOutput('plan', JSON.stringify(steps))
  return steps
}

interface Outcome {
  steps: PlanStep[]
  result: PublishResult
}

async function dryRun(settings: Settings, plan: PublishPlan): Promise<Outcome> {
  // loaded only for the plan: no docker or registry code is parsed before it
  const { dryRunPipeline, previewGuards } =
    await import('../publish/preview.js')
  const pipeline = await dryRunPipeline(settings, plan, actionLog)
  const guards = await previewGuards(settings, plan, pipeline, actionLog)
  return {
    steps: await printPlan(plan, pipeline, guards),
    result: EMPTY_RESULT
  }
}

async function publishForReal(
  settings: Settings,
  plan: PublishPlan
): Promise<Outcome> {
  // saved first: the post step removes the run's folder (and its logins) whatever happens next
  const state = { tempDir: makeRunDir() }
  saveState(state)
  const { startRun } = await import('../publish/start.js')
  const { runPipeline } = await import('../publish/run-pipeline.js')
  let progress: Progress = { pushed: [], skipped: [], uploads: [] }
  try {
    // a daemon or builder that cannot be reached fails here, before any step
    const { pipeline, env } = await startRun(
      settings,
      plan,
      actionLog,
      state.tempDir
    )
    progress = env.progress
    const steps = await printPlan(plan, pipeline)
    return { steps, result: await runPipeline(settings, plan, pipeline, env) }
  } catch (error) {
    await reportPartial(settings, plan, progress)
    throw error
  }
}

function heading(settings: Settings): string {
  if (settings.dryRun) return 'Dry run: nothing was published'
  if (!pushes(settings)) return 'Built (not pushed)'
  return 'Published'
}

export async function run(): Promise<void> {
  try {
    const settings = await readActionSettings()
    if (core.isDebug()) {
      // two docker processes: only when the user turned step debug logging on
      const { debugDockerVersions } = await import('./diagnostics.js')
      await debugDockerVersions()
    }
    const plan = computePlan(settings)
    checkLocalInputs(settings, { cwd: process.cwd(), env: process.env })
    for (const notice of plan.notices) core.notice(notice)
    for (const warning of plan.warnings) core.warning(warning)
    const { steps, result } = settings.dryRun
      ? await dryRun(settings, plan)
      : await publishForReal(settings, plan)
    setActionOutputs(settings, plan, result, steps)
    for (const skipped of result.skipped)
      core.warning(`${skipped.ref} was left alone: ${skipped.reason}`)
    await appendSummary(
      summaryMarkdown(
        plan,
        result,
        heading(settings),
        result.platforms ?? settings.build.platforms
      )
    )
  } catch (error) {
    core.setFailed(errorMessage(error))
  }
}
