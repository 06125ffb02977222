import type { PublishResult } from '../action/outputs.js'
import type { Settings } from '../action/settings.js'
import { createIndex, predictDigest } from '../docker/imagetools.js'
import { loginAll } from '../docker/login.js'
import type { Image } from '../images.js'
import type { PublishPlan } from '../plan.js'
import { finalResult, type PublishEnv } from './context.js'
import { decideForImages, refuseConflicts } from './registry-state.js'
import { stagingTag } from './staging.js'
import { leadTag, pointTags, recordSkipped } from './tagging.js'

/** Each platform's digest, from the staging tags the digest legs of this run pushed. */
async function stagedDigests(
  settings: Settings,
  plan: PublishPlan,
  image: Image,
  env: PublishEnv
): Promise<string[]> {
  return Promise.all(
    settings.build.platforms.map(async platform => {
      const tag = stagingTag(plan.buildId, platform)
      const digest = await env.registry.getDigest(image.name, tag)
      if (digest === undefined)
        throw new Error(
          `input "platforms": no ${platform} build of this run at ${image.name}:${tag}: did its mode: digest job succeed?`
        )
      return digest
    })
  )
}

/**
 * mode merge, the job after the matrix: joins the platforms the digest legs
 * staged into one index under the computed tags, with the same guards and
 * order as a build (its digest is known before anything is written).
 */
export async function publishMerge(
  settings: Settings,
  plan: PublishPlan,
  env: PublishEnv
): Promise<PublishResult> {
  const [first] = plan.images
  const registries = [...new Set(plan.images.map(i => i.registry))]
  const digests = await stagedDigests(settings, plan, first, env)
  const sources = (image: Image) => digests.map(d => `${image.name}@${d}`)
  await env.log.group('Login', () =>
    loginAll(env.docker, settings.logins, env.onLoggedIn, env.retry)
  )
  const digest = await predictDigest(
    env.docker,
    `${first.name}:merge`,
    sources(first),
    registries
  )
  const plans = await env.log.group('Check the registries', () =>
    decideForImages(
      env.registry,
      plan.images,
      plan.tags,
      () => digest,
      settings
    )
  )
  refuseConflicts(plans)
  recordSkipped(plans, env.progress, env.log)
  await env.log.group('Merge', async () => {
    for (const { image, decision } of plans) {
      const lead = leadTag(decision)
      if (lead === undefined) continue
      const target = `${image.name}:${lead.name}`
      await createIndex(
        env.docker,
        [target],
        sources(image),
        env.retry,
        registries
      )
      env.progress.pushed.push({ ref: target, digest })
    }
    await pointTags(env.registry, plans, env.progress)
  })
  return finalResult(plan.refs, env.progress, {
    digest,
    imageId: '',
    metadata: {}
  })
}
