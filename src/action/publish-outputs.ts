import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as core from '@actions/core'
import { readMetadataEnv } from '../context/metadata-env.js'
import type { Publication } from '../plan/publication.js'
import type { PlanStep } from '../plan/steps.js'
import type { PublishResult } from '../publish/outcome.js'
import { bakeFiles } from './bake-files.js'
import { legOutputs } from '../settings/leg-outputs.js'
import { actionOutputs, metadataLists, outputEnvVariables } from './outputs.js'
import type { Settings } from '../settings/settings.js'

/** metadata-action's bake files, in a folder that outlives the run, for a later bake step. */
function writeBakeFiles(
  settings: Settings,
  publication: Publication,
  annotationLevels: string[]
): Record<string, string> {
  const { tags, annotations } = metadataLists(publication, annotationLevels)
  const base = process.env.RUNNER_TEMP || tmpdir()
  const dir = mkdtempSync(join(base, 'docker-publish-bake-'))
  const files = bakeFiles(publication, tags, annotations, settings.bakeTarget)
  const outputs: Record<string, string> = {}
  for (const file of files) {
    const path = join(dir, file.fileName)
    writeFileSync(path, JSON.stringify(file.definition, null, 2))
    outputs[file.output] = path
  }
  return outputs
}

/** A digest leg that pushed: its record for the merge, as `handover` and `leg-<platform>`. */
function handoverOutputs(
  { mode, build }: Settings,
  { digests = [] }: PublishResult
): Record<string, string> {
  const platform = build.platforms[0] ?? ''
  const pushed = digests.length > 0 && digests.every(digest => digest !== '')
  if (mode !== 'digest' || !build.push || !pushed) return {}
  return legOutputs(platform, digests)
}

/** Sets every output, and exports metadata-action's as DOCKER_METADATA_OUTPUT_*. */
export function setActionOutputs(
  settings: Settings,
  publication: Publication,
  result: PublishResult,
  steps: PlanStep[]
): void {
  const metadataEnv = readMetadataEnv(process.env)
  const outputs = {
    ...actionOutputs(publication, result, steps, {
      separators: settings.separators,
      annotationLevels: metadataEnv.annotationLevels
    }),
    ...writeBakeFiles(settings, publication, metadataEnv.annotationLevels),
    ...handoverOutputs(settings, result)
  }
  for (const [name, value] of Object.entries(outputs))
    core.setOutput(name, value)
  const variables = outputEnvVariables(outputs, metadataEnv.setOutputEnv)
  for (const [name, value] of Object.entries(variables))
    core.exportVariable(name, value)
}
