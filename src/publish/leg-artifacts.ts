/** The run's artifacts, through which digest legs hand over to the merge (plan/leg-handover.ts). */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ArtifactClient } from '@actions/artifact'
import { errorMessage } from '../errors/input-error.js'
import {
  checkLegRecord,
  LEG_FILE,
  legRecord,
  type LegRun
} from '../plan/leg-handover.js'
import type { RequestStep } from '../plan/steps.js'
import { requireManifest } from '../registry/client.js'
import type { PublishEnv } from './environment.js'
import type { RunValues } from './outcome.js'

/**
 * The artifact client, its package loaded on the first call (how long that took, in the debug log).
 */
async function artifactClient(env: PublishEnv): Promise<ArtifactClient> {
  const started = performance.now()
  const { DefaultArtifactClient } = await import('@actions/artifact')
  env.log.debug?.(
    `@actions/artifact loaded in ${Math.round(performance.now() - started)} ms`
  )
  return new DefaultArtifactClient()
}

function requireLegs(env: PublishEnv): LegRun {
  if (env.legs === undefined)
    throw new Error('the run has no artifact service to hand the legs over in')
  return env.legs
}

function failure(what: string, error: unknown): Error {
  return new Error(
    `the run's artifact service: ${what} failed: ${errorMessage(error)}`
  )
}

/** handover: the leg's record of the image's digest, uploaded as the run's artifact. */
export async function uploadLeg(
  step: RequestStep,
  digest: string,
  env: PublishEnv
): Promise<void> {
  const artifact = step.artifact ?? ''
  const record = legRecord(
    requireLegs(env),
    step.image.name,
    step.platform ?? '',
    digest
  )
  const folder = join(env.tempDir, 'legs', artifact)
  await mkdir(folder, { recursive: true })
  const file = join(folder, LEG_FILE)
  await writeFile(file, `${JSON.stringify(record, null, 2)}\n`)
  const artifacts = await artifactClient(env)
  const { id } = await artifacts
    .uploadArtifact(artifact, [file], folder)
    .catch((error: unknown) => {
      throw failure(`the upload of ${artifact}`, error)
    })
  env.log.info(
    `${step.image.name}@${digest}: handed over as the run's artifact ${artifact} (id ${id})`
  )
}

/** The run's newest artifact of each name (name → id), listed once per run. */
function listLegs(
  values: RunValues,
  env: PublishEnv
): Promise<Map<string, number>> {
  values.legArtifacts ??= artifactClient(env).then(async artifacts => {
    const { artifacts: list } = await artifacts
      .listArtifacts({ latest: true })
      .catch((error: unknown) => {
        throw failure("the list of the run's artifacts", error)
      })
    return new Map(list.map(artifact => [artifact.name, artifact.id]))
  })
  return values.legArtifacts
}

/**
 * staged: the digest the platform's leg handed over in its artifact, once the registry holds it.
 */
export async function readLeg(
  step: RequestStep,
  values: RunValues,
  env: PublishEnv
): Promise<string> {
  const artifact = step.artifact ?? ''
  const platform = step.platform ?? ''
  const { image } = step
  const id = (await listLegs(values, env)).get(artifact)
  if (id === undefined)
    throw new Error(
      `input "platforms": no ${platform} leg of this run for ${image.name} (the run has no ` +
        `artifact ${artifact}): did its mode: digest job succeed?`
    )
  const folder = join(env.tempDir, 'legs', String(id))
  const artifacts = await artifactClient(env)
  await artifacts
    .downloadArtifact(id, { path: folder })
    .catch((error: unknown) => {
      throw failure(`the download of ${artifact}`, error)
    })
  const text = await readFile(join(folder, LEG_FILE), 'utf8').catch(() => '')
  const digest = checkLegRecord(text, {
    run: requireLegs(env),
    image: image.name,
    platform,
    artifact
  })
  await requireManifest(
    env.registry,
    image,
    digest,
    `the ${platform} leg's artifact ${artifact} names ${image.name}@${digest}, which registry ` +
      `${image.registry} does not hold`
  )
  env.log.info(
    `${image.name}@${digest}: the ${platform} leg, from the run's artifact ${artifact} (id ${id})`
  )
  return digest
}
