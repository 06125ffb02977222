import type { PublishResult } from '../action/outputs.js'
import type { Settings } from '../action/settings.js'
import { checkDaemon, hasBuildx } from '../docker/build.js'
import { diagnose } from '../docker/diagnose.js'
import { loginAll } from '../docker/login.js'
import { retryDocker } from '../docker/retrying.js'
import { parseImageReference } from '../images.js'
import type { PublishPlan } from '../plan.js'
import { finalResult, type PublishEnv } from './context.js'
import { decideForImages, refuseConflicts } from './registry-state.js'
import { leadTag, pointTags, recordSkipped, type ImagePlan } from './tagging.js'

/**
 * Copies every platform of the source to each image's lead tag with
 * `imagetools create` (registry to registry: no build, no layer pull; blobs
 * are mounted within a registry). The copy keeps the source's digest.
 */
async function copyToLeadTags(
  plans: ImagePlan[],
  source: string,
  env: PublishEnv
): Promise<void> {
  const targets = plans.flatMap(({ image, decision }) => {
    const lead = leadTag(decision)
    return lead === undefined ? [] : [`${image.name}:${lead.name}`]
  })
  if (targets.length === 0) return
  const args = [
    'buildx',
    'imagetools',
    'create',
    ...targets.flatMap(t => ['--tag', t]),
    source
  ]
  await retryDocker(
    () => env.docker.run(args),
    env.retry,
    `copy ${source}`
  ).catch((error: unknown) => {
    throw diagnose(
      error,
      plans.map(p => p.image.registry)
    )
  })
}

/** mode promote: the source image, as it is, under the computed tags; guards first. */
export async function publishPromote(
  settings: Settings,
  plan: PublishPlan,
  env: PublishEnv
): Promise<PublishResult> {
  const { docker, log, registry } = env
  const source = parseImageReference(settings.source, 'source')
  const digest = await registry.getDigest(source.image.name, source.reference)
  if (digest === undefined)
    throw new Error(
      `input "source": ${settings.source} was not found in registry ${source.image.registry}`
    )
  const plans = await log.group('Check the registries', () =>
    decideForImages(registry, plan.images, plan.tags, digest, settings)
  )
  refuseConflicts(plans)
  recordSkipped(plans, env.progress, log)
  await log.group('Docker', () => checkDaemon(docker))
  if (!(await hasBuildx(docker)))
    throw new Error(
      'mode "promote" needs docker buildx (imagetools), which this docker lacks'
    )
  await log.group('Login', () =>
    loginAll(docker, settings.logins, env.onLoggedIn, env.retry)
  )
  await log.group('Copy', async () => {
    await copyToLeadTags(plans, `${source.image.name}@${digest}`, env)
    for (const { image, decision } of plans) {
      const lead = leadTag(decision)
      if (lead !== undefined)
        env.progress.pushed.push({ ref: `${image.name}:${lead.name}`, digest })
    }
    await pointTags(registry, plans, digest, env.progress)
  })
  for (const p of env.progress.pushed) log.info(`Pushed ${p.ref}@${p.digest}`)
  return finalResult(plan.refs, env.progress, {
    digest,
    imageId: '',
    metadata: {}
  })
}
