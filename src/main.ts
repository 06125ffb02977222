import * as core from './action/toolkit.js'
import { readActionSettings } from './action/inputs.js'
import { actionLog } from './action/log.js'
import { EMPTY_RESULT } from './action/outputs.js'
import { setActionOutputs } from './action/publish-outputs.js'
import type { Settings } from './action/settings.js'
import { saveState } from './action/state.js'
import { summaryMarkdown } from './action/summary.js'
import { runTime } from './clock.js'
import { readEventPayload } from './context/event-file.js'
import { refContextFromRunner } from './context/ref-context.js'
import { errorMessage } from './errors.js'
import { planPublish, type PublishPlan } from './plan.js'
import { describePlan } from './publish/preview.js'
import type { Progress } from './publish/tagging.js'
import { makeRunDir } from './temp-dir.js'

function computePlan(settings: Settings): PublishPlan {
  const ctx = refContextFromRunner(
    process.env,
    readEventPayload(process.env.GITHUB_EVENT_PATH),
    settings.defaultBranch
  )
  const now = runTime(process.env.SOURCE_DATE_EPOCH, () => new Date())
  return planPublish(settings, ctx, now)
}

/** Says what landed before a failure, in the log and in the outputs. */
function reportPartial(progress: Progress): void {
  if (progress.pushed.length === 0) {
    core.info('Nothing was pushed.')
    return
  }
  const lines = progress.pushed.map(p => `  ${p.ref}@${p.digest}`)
  core.info(`Pushed before the failure:\n${lines.join('\n')}`)
  core.setOutput('pushed', JSON.stringify(progress.pushed))
  core.setOutput('skipped', JSON.stringify(progress.skipped))
}

async function publishForReal(settings: Settings, plan: PublishPlan) {
  const state = { registries: [] as string[], tempDir: makeRunDir() }
  saveState(state)
  // loaded only when publishing: a dry run never parses the docker and registry code
  const { publish } = await import('./publish.js')
  const { createPublishEnv } = await import('./publish/env.js')
  const env = createPublishEnv(settings, actionLog, state.tempDir, registry => {
    state.registries.push(registry)
    saveState(state)
  })
  try {
    return await publish(settings, plan, env)
  } catch (error) {
    reportPartial(env.progress)
    throw error
  }
}

function heading(settings: Settings): string {
  if (settings.dryRun) return 'Dry run: nothing was published'
  if (settings.mode === 'build' && !settings.build.push)
    return 'Built (not pushed)'
  return 'Published'
}

export async function run(): Promise<void> {
  try {
    const settings = await readActionSettings()
    const plan = computePlan(settings)
    await core.group('Plan', async () => {
      core.info(await describePlan(settings, plan))
    })
    for (const warning of plan.warnings) core.warning(warning)
    const result = settings.dryRun
      ? EMPTY_RESULT
      : await publishForReal(settings, plan)
    setActionOutputs(settings, plan, result)
    for (const skipped of result.skipped)
      core.warning(`${skipped.ref} was left alone: ${skipped.reason}`)
    core.appendSummary(
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
