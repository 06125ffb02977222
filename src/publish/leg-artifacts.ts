/** The run's artifacts, through which digest legs hand over to the merge (plan/leg-handover.ts). */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ArtifactClient } from '@actions/artifact'
import { errorMessage } from '../errors/input-error.js'
import {
  checkLegRecord,
  LEG_FILE,
  legArtifactName,
  legRecord,
  newestLeg,
  type LegRun,
  type ListedArtifact
} from '../plan/leg-handover.js'
import type { RequestStep } from '../plan/steps.js'
import { requireManifest } from '../registry/client.js'
import type { PublishEnv } from './run-context.js'
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

/**
 * The client's call, failed naming `what` if it fails or does not settle within
 * registry-timeout × (retries + 1): @actions/artifact retries a 5xx five times
 * (about 35 s of waits) and waits 3 minutes on a silent request before retrying it.
 */
async function bounded<T>(
  what: string,
  call: Promise<T>,
  env: PublishEnv
): Promise<T> {
  const ms = env.bounds.artifactMs
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${ms / 1000} s`)),
      ms
    )
  })
  try {
    return await Promise.race([call, deadline])
  } catch (error) {
    throw new Error(
      `the run's artifact service: ${what} failed: ${errorMessage(error)}`
    )
  } finally {
    clearTimeout(timer)
  }
}

/**
 * A refused name (409) or a failed finalize (which keeps the name in this job): worth one upload
 * under another name.
 */
const RETRIED_UPLOAD = /\(409\)|FinalizeArtifact/

/**
 * handover: the leg's record of the image's digest, uploaded as the run's artifact (retried once
 * under a name of its own).
 */
export async function uploadLeg(
  step: RequestStep,
  digest: string,
  env: PublishEnv
): Promise<void> {
  const run = requireLegs(env)
  const platform = step.platform ?? ''
  const record = legRecord(run, step.image.name, platform, digest)
  const artifacts = await artifactClient(env)
  const upload = async (artifact: string) => {
    const folder = join(env.tempDir, 'legs', artifact)
    await mkdir(folder, { recursive: true })
    const file = join(folder, LEG_FILE)
    await writeFile(file, `${JSON.stringify(record, null, 2)}\n`)
    const what = `the upload of ${artifact}`
    const call = artifacts.uploadArtifact(artifact, [file], folder)
    return { artifact, ...(await bounded(what, call, env)) }
  }
  const { artifact, id } = await upload(step.artifact ?? '').catch(
    (error: unknown) => {
      if (!RETRIED_UPLOAD.test(errorMessage(error))) throw error
      env.log.info(
        `${errorMessage(error)}; uploading it again under another name`
      )
      const suffix = Date.now().toString(16)
      return upload(
        legArtifactName(step.image.name, platform, run.attempt, suffix)
      )
    }
  )
  env.log.info(
    `${step.image.name}@${digest}: handed over as the run's artifact ${artifact} (id ${id})`
  )
}

/** The run's artifacts, of every attempt, listed once per run. */
function listLegs(
  values: RunValues,
  env: PublishEnv
): Promise<ListedArtifact[]> {
  values.legArtifacts ??= artifactClient(env).then(async artifacts => {
    const what = "the list of the run's artifacts"
    const listed = await bounded(what, artifacts.listArtifacts(), env)
    return listed.artifacts
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
  const base = step.artifact ?? ''
  const platform = step.platform ?? ''
  const { image } = step
  const newest = newestLeg(await listLegs(values, env), base)
  if (newest === undefined)
    throw new Error(
      `input "platforms": no ${platform} leg of this run for ${image.name} (the run has no ` +
        `artifact ${base}-a<attempt>): did its mode: digest job succeed?`
    )
  const { name: artifact, id } = newest
  const folder = join(env.tempDir, 'legs', String(id))
  const artifacts = await artifactClient(env)
  const download = artifacts.downloadArtifact(id, { path: folder })
  await bounded(`the download of ${artifact}`, download, env)
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
