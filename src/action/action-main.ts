import * as core from '@actions/core'
import { readActionSettings } from './inputs.js'
import { actionLog, appendSummary, info } from './actions-log.js'
import { setActionOutputs } from './publish-outputs.js'
import type { Settings } from '../settings/settings.js'
import { needsBuilder } from '../plan/pipeline.js'
import { saveState } from './state.js'
import { summaryMarkdown } from './summary.js'
import { cleanupMarkdown } from './cleanup-summary.js'
import { readEventPayload } from '../context/event-file.js'
import { refContextFromRunner } from '../context/ref-context.js'
import { errorMessage } from '../errors/input-error.js'
import { run as runPublish, type RunIo } from '../publish/run.js'

function heading(settings: Settings): string {
  if (settings.dryRun) return 'Dry run: nothing was published'
  if (settings.build.push) return 'Published'
  return needsBuilder(settings)
    ? 'Built (not pushed)'
    : 'Nothing published (push: false)'
}

/** The runner's world as the run sees it: inputs, GITHUB_*, the log, state and outputs. */
function actionIo(settings: Settings): RunIo {
  return {
    log: actionLog,
    cwd: process.cwd(),
    env: process.env,
    clock: () => new Date(),
    refContext: defaultBranch =>
      Promise.resolve(
        refContextFromRunner(
          process.env,
          readEventPayload(process.env.GITHUB_EVENT_PATH),
          defaultBranch
        )
      ),
    showPlan: async (text, steps) => {
      await core.group('Plan', () => Promise.resolve(info(text)))
      core.setOutput('plan', JSON.stringify(steps))
    },
    // saved for the post step, which removes the folder and our logins
    onRunDir: tempDir => saveState({ tempDir }),
    // and the builder made for the run, which the post step removes after a cancel
    onOwnBuilder: (tempDir, builder) => saveState({ tempDir, builder }),
    // and the cache entries left unwritten, which the post step writes
    onCacheSpool: cacheSpool => saveState({ cacheSpool }),
    // the failed run's outputs and job summary: what the registry holds of it
    reportFailure: (publication, landed) => {
      core.setOutput('pushed', JSON.stringify(landed.pushed))
      core.setOutput('skipped', JSON.stringify(landed.skipped))
      core.setOutput('gate', landed.gate?.verdict ?? 'none')
      appendSummary(
        summaryMarkdown(
          publication,
          landed,
          'Failed: what the registry holds of this run',
          settings.build.platforms
        )
      )
    },
    reportPublished: ({ publication, steps, result }) => {
      setActionOutputs(settings, publication, result, steps)
      appendSummary(
        summaryMarkdown(
          publication,
          result,
          heading(settings),
          result.platforms ?? settings.build.platforms
        )
      )
    },
    reportCleanup: cleanup => {
      core.setOutput('cleaned', JSON.stringify(cleanup.cleaned))
      appendSummary(cleanupMarkdown(cleanup, settings.dryRun))
    }
  }
}

export async function run(): Promise<void> {
  try {
    const settings = await readActionSettings()
    if (core.isDebug()) {
      // two docker processes: only when the user turned step debug logging on
      const { debugVersions } = await import('./diagnostics.js')
      await debugVersions()
    }
    await runPublish(settings, actionIo(settings))
  } catch (error) {
    core.setFailed(errorMessage(error))
  }
}
