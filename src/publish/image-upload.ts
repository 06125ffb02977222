/**
 * The steps that put a build in the registry by the action's own client:
 * the image saved out of the classic store as a layout, the layout uploaded
 * by digest to each image (mounted where an earlier image of the same
 * registry has its blobs), and a digest leg's handover.
 */
import { rm } from 'node:fs/promises'
import { saveImageLayout } from '../docker/saved-image.js'
import type { Image } from '../reference/images.js'
import { readLayout } from '../registry/oci-layout.js'
import { uploadLayout } from '../registry/layout-upload.js'
import { handoverIndex } from '../registry/handover.js'
import {
  notRunLine,
  stepLine,
  type CommandStep,
  type RequestStep
} from '../plan/steps.js'
import { errorMessage } from '../errors.js'
import type { PublishEnv } from './context.js'
import type { Upload } from './result.js'
import { formatBytes, formatSeconds } from './footprint-rows.js'
import type { RunValues } from './values.js'

/** Long uploads say how far they are at most this often. */
const PROGRESS_EVERY_MS = 5_000

function progressLogger(image: Image, env: PublishEnv) {
  let last = performance.now()
  return (done: number, total: number) => {
    const now = performance.now()
    if (now - last < PROGRESS_EVERY_MS || done >= total) return
    last = now
    env.log.info(
      `${image.name}: ${formatBytes(done)} of ${formatBytes(total)} uploaded`
    )
  }
}

/** Images of the same registry that already hold this run's blobs. */
function mountSources(image: Image, values: RunValues): string[] {
  return values.uploaded
    .filter(other => other.registry === image.registry)
    .map(other => other.name)
}

/** save: the built image out of the local store as a layout with gzipped layers. */
export async function runSave(
  step: CommandStep,
  argv: string[],
  env: PublishEnv
): Promise<void> {
  if (step.layout === undefined) throw new Error('save: no layout folder')
  await saveImageLayout(env.docker, argv[1], step.layout)
}

/** upload: the layout into the step's image by digest; its digest is the run's. */
export async function runUpload(
  step: RequestStep,
  values: RunValues,
  env: PublishEnv
): Promise<Upload> {
  if (step.layout === undefined) throw new Error('upload: no layout folder')
  const started = performance.now()
  const layout = await readLayout(step.layout)
  const result = await uploadLayout(env.registry, layout, step.image.name, {
    mountFrom: mountSources(step.image, values),
    onProgress: progressLogger(step.image, env)
  })
  values.setDigest(step.image.name, result.digest)
  values.uploaded.push(step.image)
  const upload: Upload = {
    image: step.image.name,
    digest: result.digest,
    uploaded: result.bytes.uploaded,
    mounted: result.bytes.mounted,
    present: result.bytes.present,
    blobs: result.blobs,
    ms: Math.round(performance.now() - started)
  }
  env.log.info(
    `${step.image.name}@${result.digest}: ${formatBytes(upload.uploaded)} uploaded, ${formatBytes(upload.mounted)} mounted, ${formatBytes(upload.present)} already there (${upload.blobs} blobs, ${formatSeconds(upload.ms)})`
  )
  return upload
}

/** handover: the leg's image named by a handover index under the run's tag. */
export async function runHandover(
  step: RequestStep,
  values: RunValues,
  env: PublishEnv
): Promise<void> {
  const digest = values.digestOf(step.image.name)
  const leg = await env.registry.getManifest(step.image.name, digest)
  if (leg === undefined)
    throw new Error(`${step.image.name}@${digest} vanished after its upload`)
  const index = handoverIndex(leg, step.platform ?? '', step.reference)
  await env.registry.putManifest(step.image.name, step.reference, index)
  values.handovers.set(step.image.name, index.digest)
}

/**
 * discard: each leg's handover index deleted by digest (its tag goes with
 * it). A registry that refuses deletes keeps the tag, and the log says so.
 */
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
        .deleteManifest(step.image.name, digest)
        .catch((error: unknown) =>
          env.log.notice(
            `${step.image.name}: the ${step.platform ?? ''} leg's handover tag stays, as the registry refused to delete it (${errorMessage(error)})`
          )
        )
    }
  })
}

/** The layouts of a run's steps, removed once uploaded (they can be large). */
export async function removeLayouts(
  steps: (CommandStep | RequestStep)[]
): Promise<void> {
  const dirs = new Set(steps.flatMap(step => step.layout ?? []))
  await Promise.all(
    [...dirs].map(dir => rm(dir, { recursive: true, force: true }))
  )
}
