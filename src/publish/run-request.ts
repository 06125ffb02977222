/** Runs one registry step of the pipeline (the stage and read-back ones). */
import { errorMessage } from '../errors.js'
import type { Manifest } from '../registry/manifest.js'
import { indexPlatforms, mountImage } from '../registry/copy.js'
import { handoverDigest, stagedDigest } from '../plan/copy-steps.js'
import { handedOver } from '../registry/handover.js'
import type { RequestStep } from '../plan/steps.js'
import type { PublishEnv } from './context.js'
import type { RunValues } from './values.js'
import { runHandover, runUpload } from './image-upload.js'

async function readSource(
  step: RequestStep,
  values: RunValues,
  env: PublishEnv
): Promise<string[]> {
  const manifest = await env.registry.getManifest(
    step.image.name,
    step.reference
  )
  if (manifest === undefined)
    throw new Error(
      `input "source": ${step.image.name}:${step.reference} was not found in registry ${step.image.registry}`
    )
  values.source = { image: step.image, digest: manifest.digest }
  return indexPlatforms(manifest)
}

async function sourceManifest(
  values: RunValues,
  env: PublishEnv
): Promise<Manifest> {
  const source = values.source
  const manifest =
    source && (await env.registry.getManifest(source.image.name, source.digest))
  if (!source || manifest === undefined)
    throw new Error(
      'the source image vanished from the registry while it was copied'
    )
  return manifest
}

/** A leg's image: what its handover index names (a tag on the image itself from older legs). */
async function readStaged(
  step: RequestStep,
  values: RunValues,
  env: PublishEnv
): Promise<void> {
  const { image, reference } = step
  const manifest = await env.registry.getManifest(image.name, reference)
  if (manifest === undefined)
    throw new Error(
      `input "platforms": no ${step.platform ?? ''} build of this run at ${image.name}:${reference}: did its mode: digest job succeed?`
    )
  const leg = handedOver(manifest)
  values.setStaged(image.name, stagedDigest(reference), leg ?? manifest.digest)
  if (leg !== undefined)
    values.setStaged(image.name, handoverDigest(reference), manifest.digest)
}

const NETWORK =
  /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|connection refused|no response within/i

/** The registry answers /v2/ (its faults retried); unreachable is said so. */
async function probe(registry: string, env: PublishEnv): Promise<void> {
  try {
    await env.registry.ping(registry)
  } catch (error) {
    const message = errorMessage(error)
    if (!NETWORK.test(message)) throw error
    const detail = message.replace(`registry ${registry}: `, '')
    throw new Error(`registry ${registry} is unreachable (${detail})`, {
      cause: error
    })
  }
}

/** The platforms learnt (promote's source), else []. */
export async function runStageRequest(
  step: RequestStep,
  values: RunValues,
  env: PublishEnv
): Promise<string[]> {
  switch (step.step) {
    case 'probe':
      await probe(step.image.registry, env)
      return []
    case 'source':
      return readSource(step, values, env)
    case 'staged':
      await readStaged(step, values, env)
      return []
    case 'mount': {
      const source = values.source
      if (source !== undefined)
        await mountImage(
          env.registry,
          source.image.name,
          source.digest,
          step.image.name
        )
      return []
    }
    case 'upload':
      env.progress.uploads.push(await runUpload(step, values, env))
      return []
    case 'handover':
      await runHandover(step, values, env)
      return []
    case 'copy': {
      const manifest = await sourceManifest(values, env)
      await env.registry.putManifest(step.image.name, manifest.digest, manifest)
      values.setDigest(step.image.name, manifest.digest)
      return []
    }
    default:
      throw new Error(`step ${step.step} is not a stage step`)
  }
}
