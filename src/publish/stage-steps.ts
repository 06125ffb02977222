/**
 * The registry steps that put the image in place before any tag moves (and the merge's discards
 * after).
 */
import { rm } from 'node:fs/promises'
import { storeLogin } from '../docker/config.js'
import { loginFor } from '../docker/credentials.js'
import { loginFailure } from '../docker/diagnose.js'
import { errorMessage } from '../errors/input-error.js'
import type { Image } from '../reference/images.js'
import { encodedCredentials } from '../settings/logins.js'
import { requireManifest, type RegistryClient } from '../registry/client.js'
import { isSha256Digest } from '../reference/grammar.js'
import { indexPlatforms, mountImage } from '../registry/copy.js'
import { handedOver, handoverIndex } from '../registry/handover.js'
import { readLayout } from '../layout/oci-layout.js'
import { readHeldLayers, type HeldLayers } from '../layout/held-layers.js'
import { cacheImports, type CacheSources } from '../plan/cache.js'
import { readLeg, uploadLeg } from './leg-artifacts.js'
import { uploadLayout } from '../layout/layout-upload.js'
import { handoverDigest, stagedDigest } from '../plan/copy-steps.js'
import {
  CACHE_TAG,
  notRunLine,
  stepLine,
  type RequestStep,
  type Step
} from '../plan/steps.js'
import type { PublishEnv } from './run-context.js'
import {
  formatBytes,
  formatSeconds,
  type RunValues,
  type Upload,
  uploadBytesText
} from './outcome.js'

/** Runs a login step: checked with the registry, then stored in the run's config. */
export async function logIn(step: RequestStep, env: PublishEnv): Promise<void> {
  const { registry } = step.image
  const login = loginFor(env.logins, registry)
  if (login === undefined) throw new Error(`login: no password for ${registry}`)
  try {
    await env.registry.checkCredentials(registry)
  } catch (error) {
    throw loginFailure(error, registry, login.username)
  }
  // docker's form of the pair is a secret of its own
  env.log.mask(encodedCredentials(login))
  storeLogin(env.dockerConfig, registry, login)
}

/** Long uploads say how far they are at most this often. */
const PROGRESS_EVERY_MS = 5_000

export function progressLogger(
  image: Image,
  env: PublishEnv,
  what = 'uploaded'
) {
  let last = performance.now()
  return (done: number, total: number) => {
    const now = performance.now()
    if (now - last < PROGRESS_EVERY_MS || done >= total) return
    last = now
    env.log.info(
      `${image.name}: ${formatBytes(done)} of ${formatBytes(total)} ${what}`
    )
  }
}

/** upload: the layout into the step's image by digest; its digest is the run's. */
async function runUpload(
  step: RequestStep,
  values: RunValues,
  env: PublishEnv
): Promise<Upload> {
  if (step.layout === undefined) throw new Error('upload: no layout folder')
  const started = performance.now()
  const early = (await values.earlyUploads.get(step.image.name)) ?? new Set()
  // where it went on at its export, the build told its digest: index.json comes once buildx ends
  const layout = await readLayout(
    step.layout,
    await values.borrowed,
    values.exported
  )
  const result = await uploadLayout(env.registry, layout, step.image, {
    // images of the same registry already hold this run's blobs
    mountFrom: values.uploaded.filter(i => i.registry === step.image.registry),
    onProgress: progressLogger(step.image, env)
  })
  values.setDigest(step.image.name, result.digest)
  values.uploaded.push(step.image)
  // sent while buildx wrote them: the layout's upload then found them there
  const sentEarly = layout.blobs
    .filter(blob => early.has(blob.digest))
    .reduce((sum, blob) => sum + blob.size, 0)
  const upload: Upload = {
    image: step.image.name,
    digest: result.digest,
    uploaded: result.bytes.uploaded + sentEarly,
    mounted: result.bytes.mounted,
    present: result.bytes.present - sentEarly,
    blobs: result.blobs,
    ms: Math.round(performance.now() - started),
    duringBuild: sentEarly
  }
  env.log.info(
    `${step.image.name}@${result.digest}: ${uploadBytesText(upload)} (${upload.blobs} blobs, ` +
      `${formatSeconds(upload.ms)})`
  )
  return upload
}

/**
 * layers: the layers of the step's tag read beside the steps after it, an earlier step's kept where
 * both found one; what cannot be read is none. The tag list's step finds the tag CACHE_TAG stands
 * for: the first a cache import could read.
 */
export function readLayersStep(
  step: RequestStep,
  sources: CacheSources | undefined,
  values: RunValues,
  cacheRegistry: RegistryClient
): void {
  const { image, reference } = step
  if (reference === '') {
    values.cacheTag = cacheRegistry.listTags(image).then(
      existing => sources && cacheImports(sources, existing)[0]?.tag,
      () => undefined
    )
    return
  }
  const tag =
    reference === CACHE_TAG ? values.cacheTag : Promise.resolve(reference)
  const read = (tag ?? Promise.resolve(undefined))
    .then(named =>
      named === undefined
        ? new Map()
        : readHeldLayers(cacheRegistry, image, [named])
    )
    .catch((): HeldLayers => new Map())
  const before = values.heldLayers ?? Promise.resolve(new Map())
  values.heldLayers = Promise.all([read, before]).then(
    ([found, earlier]) => new Map([...found, ...earlier])
  )
}

/** handover: the leg's image named by the run's artifact, else by an index under the run's tag. */
async function runHandover(
  step: RequestStep,
  values: RunValues,
  env: PublishEnv
): Promise<void> {
  values.requireDigests([step.image], 'the leg was not handed over')
  const digest = values.digestOf(step.image.name)
  if (step.artifact !== undefined) return uploadLeg(step, digest, env)
  const leg = await requireManifest(
    env.registry,
    step.image,
    digest,
    `${step.image.name}@${digest} vanished after its upload`
  )
  const index = handoverIndex(leg, step.platform ?? '', step.reference)
  await env.registry.putManifest(step.image, step.reference, index)
  values.handovers.set(step.image.name, index.digest)
}

/** discard: each leg's handover index deleted by digest; a refused delete is told, not failed. */
export async function runDiscards(
  steps: RequestStep[],
  values: RunValues,
  env: PublishEnv
): Promise<void> {
  if (steps.length === 0) return
  await env.log.group('Remove the handover tags', async () => {
    for (const step of steps) {
      const digest = values.resolve(step.reference, step.image)
      if (digest === step.reference) {
        env.log.info(notRunLine(step, 'not needed: the leg tagged its image'))
        continue
      }
      env.log.info(stepLine(step))
      await env.registry
        .deleteManifest(step.image, digest)
        .catch((error: unknown) =>
          env.log.notice(
            `${step.image.name}: the ${step.platform ?? ''} leg's handover tag stays, as the ` +
              `registry refused to delete it (${errorMessage(error)})`
          )
        )
    }
  })
}

/** The layouts of a run's steps, removed once uploaded (they can be large). */
export async function removeLayouts(steps: Step[]): Promise<void> {
  const dirs = new Set(steps.flatMap(step => step.layout ?? []))
  await Promise.all(
    [...dirs].map(dir => rm(dir, { recursive: true, force: true }))
  )
}

async function readSource(
  step: RequestStep,
  values: RunValues,
  env: PublishEnv
): Promise<string[]> {
  const manifest = await requireManifest(
    env.registry,
    step.image,
    step.reference,
    `input "source": ${step.image.name}:${step.reference} was not found in registry ` +
      `${step.image.registry}`
  )
  values.source = { image: step.image, digest: manifest.digest }
  // rollback's release is in the image's own repository: its tags move to it, no copy
  if (step.step === 'release')
    values.setDigest(step.image.name, manifest.digest)
  return indexPlatforms(manifest)
}

/** A leg's image: what its artifact names, else its handover index (or an older leg's tag). */
async function readStaged(
  step: RequestStep,
  values: RunValues,
  env: PublishEnv
): Promise<void> {
  const { image, reference } = step
  if (step.artifact !== undefined) {
    const digest = await readLeg(step, values, env)
    values.setStaged(image.name, stagedDigest(reference), digest)
    return
  }
  const platform = step.platform ?? ''
  const missing = isSha256Digest(reference)
    ? `input "handover": the ${platform} leg names ${image.name}@${reference}, which registry ` +
      `${image.registry} does not hold: nothing was published`
    : `input "platforms": no ${platform} build of this run at ${image.name}:${reference}: did ` +
      'its mode: digest job succeed?'
  const manifest = await requireManifest(
    env.registry,
    image,
    reference,
    missing
  )
  const leg = handedOver(manifest)
  values.setStaged(image.name, stagedDigest(reference), leg ?? manifest.digest)
  if (leg !== undefined)
    values.setStaged(image.name, handoverDigest(reference), manifest.digest)
}

/** The platforms learnt (promote's source), else nothing. */
export async function runStageRequest(
  step: RequestStep,
  values: RunValues,
  env: PublishEnv
): Promise<string[] | void> {
  switch (step.step) {
    case 'login':
      return logIn(step, env)
    case 'source':
    case 'release':
      return readSource(step, values, env)
    case 'staged':
      return readStaged(step, values, env)
    case 'mount': {
      const source = values.source
      if (source !== undefined)
        await mountImage(env.registry, source.image, source.digest, step.image)
      return
    }
    case 'upload':
      env.result.uploads.push(await runUpload(step, values, env))
      return
    case 'handover':
      return runHandover(step, values, env)
    case 'copy': {
      const { source } = values
      if (!source) throw new Error('copy ran before the source was read')
      const manifest = await requireManifest(
        env.registry,
        source.image,
        source.digest,
        'the source image vanished from the registry while it was copied'
      )
      await env.registry.putManifest(step.image, manifest.digest, manifest)
      values.setDigest(step.image.name, manifest.digest)
      return
    }
    default:
      throw new Error(`step ${step.step} is not a stage step`)
  }
}
