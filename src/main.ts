import * as core from './action/toolkit.js'
import { readActionSettings } from './action/inputs.js'
import { actionLog } from './action/log.js'
import { actionOutputs, EMPTY_RESULT } from './action/outputs.js'
import type { Settings } from './action/settings.js'
import { saveState } from './action/state.js'
import { summaryMarkdown } from './action/summary.js'
import { runTime } from './clock.js'
import { readEventPayload } from './context/event-file.js'
import { refContextFromRunner } from './context/ref-context.js'
import { plannedCommands } from './docker/commands.js'
import { createDockerRunner } from './docker/runner.js'
import { errorMessage } from './errors.js'
import { planPublish, type PublishPlan } from './plan.js'
import { planText } from './plan-text.js'
import { publishBuild } from './publish.js'
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

async function publish(settings: Settings, plan: PublishPlan) {
  const state = { registries: [] as string[], tempDir: makeRunDir() }
  saveState(state)
  return publishBuild(settings, plan, {
    docker: createDockerRunner(),
    log: actionLog,
    tempDir: state.tempDir,
    onLoggedIn: registry => {
      state.registries.push(registry)
      saveState(state)
    }
  })
}

export async function run(): Promise<void> {
  try {
    const settings = await readActionSettings()
    const plan = computePlan(settings)
    await core.group('Plan', () => {
      core.info(
        planText(plan, plannedCommands(settings, plan, '<metadata-file>'))
      )
      return Promise.resolve()
    })
    for (const warning of plan.warnings) core.warning(warning)
    if (settings.mode !== 'build' && !settings.dryRun)
      throw new Error(
        `input "mode": "${settings.mode}" is not built yet; use build`
      )
    const result = settings.dryRun
      ? EMPTY_RESULT
      : await publish(settings, plan)
    for (const [name, value] of Object.entries(actionOutputs(plan, result)))
      core.setOutput(name, value)
    const heading = settings.dryRun
      ? 'Dry run: nothing was published'
      : settings.build.push
        ? 'Published'
        : 'Built (not pushed)'
    core.appendSummary(
      summaryMarkdown(plan, result, heading, settings.build.platforms)
    )
  } catch (error) {
    core.setFailed(errorMessage(error))
  }
}
