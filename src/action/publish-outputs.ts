import { readMetadataEnv } from '../context/metadata-env.js'
import type { PublishPlan } from '../plan/plan.js'
import type { PlanStep } from '../plan/steps.js'
import type { PublishResult } from '../publish/result.js'
import { actionOutputs, outputEnvVariables } from './outputs.js'
import type { Settings } from '../settings/settings.js'
import * as core from '@actions/core'

/**
 * Sets every output and, as metadata-action does, exports its outputs as
 * DOCKER_METADATA_OUTPUT_* for the later steps of the job.
 */
export function setActionOutputs(
  settings: Settings,
  plan: PublishPlan,
  result: PublishResult,
  steps: PlanStep[]
): void {
  const metadataEnv = readMetadataEnv(process.env)
  const outputs = actionOutputs(plan, result, steps, {
    separators: settings.separators,
    annotationLevels: metadataEnv.annotationLevels
  })
  for (const [name, value] of Object.entries(outputs))
    core.setOutput(name, value)
  const variables = outputEnvVariables(outputs, metadataEnv.setOutputEnv)
  for (const [name, value] of Object.entries(variables))
    core.exportVariable(name, value)
}
