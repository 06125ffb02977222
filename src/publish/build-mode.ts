import type { PublishResult } from '../action/outputs.js'
import type { Settings } from '../action/settings.js'
import {
  buildxBuild,
  BuildxMissingError,
  classicBuild,
  type BuildJob
} from '../docker/build.js'
import { needsLogin } from '../docker/commands.js'
import { loginAll } from '../docker/login.js'
import type { PublishPlan } from '../plan.js'
import { finalResult, type PublishEnv } from './context.js'
import { dockerPush } from './push.js'
import {
  decideImages,
  readImageStates,
  refuseConflicts
} from './registry-state.js'
import { leadTag, pointTags, recordSkipped, type ImagePlan } from './tagging.js'

/** Pushes each image once, under its lead tag; returns the digest the registry confirmed. */
async function pushLeadTags(
  plans: ImagePlan[],
  env: PublishEnv
): Promise<string> {
  let digest = ''
  for (const { image, decision } of plans) {
    const lead = leadTag(decision)
    if (lead !== undefined)
      digest = (await dockerPush(image, lead.name, env)) || digest
  }
  return digest
}

/** buildx when it is there; else the classic builder, and a notice saying so. */
export async function buildImage(job: BuildJob, env: PublishEnv) {
  try {
    return await buildxBuild(env.docker, job)
  } catch (error) {
    if (!(error instanceof BuildxMissingError)) throw error
    return classicBuild(env.docker, job, env.log)
  }
}

/**
 * mode build: build into the local image store first, so the digest is known
 * before anything is pushed; check the registries (immutable release tags,
 * forward-only floating tags); push each image once under an exact tag; then
 * point the other exact tags, then the floating ones, over the registry API.
 */
export async function publishBuild(
  settings: Settings,
  plan: PublishPlan,
  env: PublishEnv
): Promise<PublishResult> {
  const { docker, log } = env
  const push = settings.build.push
  // the guards' registry reads need no digest: they run while docker builds
  const states = push
    ? readImageStates(env.registry, plan.images, plan.tags)
    : Promise.resolve([])
  states.catch(() => undefined) // a failed build must not leave it unhandled
  if (needsLogin(settings))
    await log.group('Login', () =>
      loginAll(docker, settings.logins, env.onLoggedIn, env.retry)
    )
  const job: BuildJob = {
    ...plan,
    build: push
      ? { ...settings.build, push: false, load: true }
      : settings.build,
    tempDir: env.tempDir,
    registries: [...new Set(plan.images.map(i => i.registry))]
  }
  const built = await log.group('Build', () => buildImage(job, env))
  if (!push)
    return finalResult(plan.refs, env.progress, {
      ...built,
      metadata: built.raw
    })

  const plans = await log.group('Check the registries', async () =>
    decideImages(await states, plan.tags, () => built.digest, settings)
  )
  refuseConflicts(plans)
  recordSkipped(plans, env.progress, log)
  const digest = await log.group('Push', async () => {
    const pushed = await pushLeadTags(plans, env)
    const digest = built.digest || pushed
    await pointTags(
      env.registry,
      plans.map(p => ({ ...p, digest })),
      env.progress
    )
    return digest
  })
  for (const p of env.progress.pushed) log.info(`Pushed ${p.ref}@${p.digest}`)
  return finalResult(plan.refs, env.progress, {
    digest,
    imageId: built.imageId,
    metadata: built.raw
  })
}
