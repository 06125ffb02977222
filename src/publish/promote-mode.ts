import type { PublishResult } from '../action/outputs.js'
import type { Settings } from '../action/settings.js'
import { createIndex, predictDigest } from '../docker/imagetools.js'
import { loginAll } from '../docker/login.js'
import {
  parseImageReference,
  type Image,
  type ImageReference
} from '../images.js'
import type { PublishPlan } from '../plan.js'
import { copyWithinRegistry, indexPlatforms } from '../registry/copy.js'
import { finalResult, type PublishEnv } from './context.js'
import { decideForImages, refuseConflicts } from './registry-state.js'
import { leadTag, pointTags, recordSkipped, type ImagePlan } from './tagging.js'

interface Source extends ImageReference {
  digest: string
  /** name@digest */
  pinned: string
}

async function resolveSource(
  settings: Settings,
  env: PublishEnv
): Promise<Source> {
  const ref = parseImageReference(settings.source, 'source')
  const digest = await env.registry.getDigest(ref.image.name, ref.reference)
  if (digest === undefined)
    throw new Error(
      `input "source": ${settings.source} was not found in registry ${ref.image.registry}`
    )
  return { ...ref, digest, pinned: `${ref.image.name}@${digest}` }
}

/** Where a copy to another registry lands: imagetools may wrap a single manifest. */
function predictCopy(
  image: Image,
  source: Source,
  env: PublishEnv
): Promise<string> {
  return predictDigest(
    env.docker,
    `${image.name}:probe`,
    [source.pinned],
    [image.registry, source.image.registry]
  )
}

async function copyLead(
  plan: ImagePlan,
  source: Source,
  env: PublishEnv
): Promise<void> {
  const lead = leadTag(plan.decision)
  if (lead === undefined) return
  const target = `${plan.image.name}:${lead.name}`
  if (plan.image.registry === source.image.registry) {
    const manifest = await copyWithinRegistry(
      env.registry,
      source.image.name,
      source.digest,
      plan.image.name
    )
    await env.registry.putManifest(plan.image.name, lead.name, manifest)
  } else {
    await createIndex(env.docker, [target], [source.pinned], env.retry, [
      plan.image.registry,
      source.image.registry
    ])
  }
  env.progress.pushed.push({ ref: target, digest: plan.digest })
}

/**
 * Docker (the CLI's imagetools, no daemon) is needed only to copy between
 * registries; within one, the registry API does it all.
 */
async function loginIfCrossRegistry(
  settings: Settings,
  source: Source,
  env: PublishEnv
): Promise<void> {
  if (settings.images.every(i => i.registry === source.image.registry)) return
  await env.log.group('Login', () =>
    loginAll(env.docker, settings.logins, env.onLoggedIn, env.retry)
  )
}

/**
 * mode promote: the source image, every platform, under the computed tags,
 * without a build or a layer pull. Same registry: blobs are mounted and
 * manifests put as they are (same digest, nothing uploaded); another
 * registry: `imagetools create`. The guards run before anything is written.
 */
export async function publishPromote(
  settings: Settings,
  plan: PublishPlan,
  env: PublishEnv
): Promise<PublishResult> {
  const source = await resolveSource(settings, env)
  await loginIfCrossRegistry(settings, source, env)
  const digests = new Map<string, string>()
  for (const image of plan.images)
    digests.set(
      image.name,
      image.registry === source.image.registry
        ? source.digest
        : await predictCopy(image, source, env)
    )
  const plans = await env.log.group('Check the registries', () =>
    decideForImages(
      env.registry,
      plan.images,
      plan.tags,
      image => digests.get(image.name) ?? '',
      settings
    )
  )
  refuseConflicts(plans)
  recordSkipped(plans, env.progress, env.log)
  await env.log.group('Copy', async () => {
    for (const imagePlan of plans) await copyLead(imagePlan, source, env)
    await pointTags(env.registry, plans, env.progress)
  })
  for (const p of env.progress.pushed)
    env.log.info(`Pushed ${p.ref}@${p.digest}`)
  const manifest = await env.registry.getManifest(
    source.image.name,
    source.digest
  )
  return {
    ...finalResult(plan.refs, env.progress, {
      digest: source.digest,
      imageId: '',
      metadata: {}
    }),
    platforms: manifest === undefined ? [] : indexPlatforms(manifest)
  }
}
