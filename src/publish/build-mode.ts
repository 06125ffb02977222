import type { PublishResult } from '../action/outputs.js'
import type { Settings } from '../action/settings.js'
import { buildxBuild, classicBuild, type BuildJob } from '../docker/build.js'
import { BuildxMissingError } from '../docker/runner.js'
import { needsLogin } from '../docker/commands.js'
import { loginAll } from '../docker/login.js'
import type { PublishPlan } from '../plan.js'
import type { Tag } from '../tags/types.js'
import type { BuildMetadata } from '../docker/metadata.js'
import { pushingBuild } from '../docker/buildx-args.js'
import { finalResult, type PublishEnv } from './context.js'
import { dockerPush } from './push.js'
import {
  decideImages,
  readImageStates,
  refuseConflicts,
  type ImageState
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

/** Where the build goes: pushed by buildx, into the local store for a later push, or as the inputs say. */
type BuildTarget = 'push' | 'store' | 'as-asked'

function buildJob(
  settings: Settings,
  plan: PublishPlan,
  env: PublishEnv,
  refs: string[],
  target: BuildTarget
): BuildJob {
  const build = {
    push: pushingBuild(settings.build),
    store: { ...settings.build, push: false, load: true },
    'as-asked': settings.build
  }[target]
  return {
    ...plan,
    refs,
    build,
    tempDir: env.tempDir,
    registries: [...new Set(plan.images.map(i => i.registry))]
  }
}

/** Points the remaining tags at the pushed digest: exact ones, then floating. */
async function finish(
  plans: ImagePlan[],
  digest: string,
  built: BuildMetadata,
  plan: PublishPlan,
  env: PublishEnv
): Promise<PublishResult> {
  await pointTags(
    env.registry,
    plans.map(p => ({ ...p, digest })),
    env.progress
  )
  for (const p of env.progress.pushed)
    env.log.info(`Pushed ${p.ref}@${p.digest}`)
  return finalResult(plan.refs, env.progress, {
    digest,
    imageId: built.imageId,
    metadata: built.raw
  })
}

/**
 * No release tag of ours exists yet, so no decision depends on the digest:
 * buildx pushes each image under its lead tag itself, as a plain
 * `buildx build --push` would, and the other tags follow by manifest PUT.
 */
async function publishDirect(
  settings: Settings,
  plan: PublishPlan,
  env: PublishEnv,
  states: ImageState[]
): Promise<PublishResult> {
  const plans = decideImages(states, plan.tags, () => '', settings)
  refuseConflicts(plans)
  recordSkipped(plans, env.progress, env.log)
  const leads = plans.flatMap(({ image, decision }) => {
    const lead = leadTag(decision)
    return lead === undefined ? [] : [`${image.name}:${lead.name}`]
  })
  if (leads.length === 0)
    return finalResult(plan.refs, env.progress, {
      digest: '',
      imageId: '',
      metadata: {}
    })
  const built = await env.log.group('Build and push', () =>
    buildImage(buildJob(settings, plan, env, leads, 'push'), env)
  )
  // the classic builder only builds (no digest yet): push it as after a check
  const digest = built.digest || (await pushLeadTags(plans, env))
  if (built.digest !== '')
    for (const ref of leads) env.progress.pushed.push({ ref, digest })
  return finish(plans, digest, built, plan, env)
}

/**
 * A release tag of ours exists already: build into the local store first, so
 * the guards can compare digests (the same digest is a no-op, another one is
 * refused) before anything is pushed.
 */
async function publishCompared(
  settings: Settings,
  plan: PublishPlan,
  env: PublishEnv,
  states: ImageState[]
): Promise<PublishResult> {
  const built = await env.log.group('Build', () =>
    buildImage(buildJob(settings, plan, env, plan.refs, 'store'), env)
  )
  const plans = decideImages(states, plan.tags, () => built.digest, settings)
  refuseConflicts(plans)
  recordSkipped(plans, env.progress, env.log)
  const pushed = await env.log.group('Push', () => pushLeadTags(plans, env))
  return finish(plans, built.digest || pushed, built, plan, env)
}

const releaseTagExists = (states: ImageState[], tags: Tag[]) =>
  states.some(({ existingTags }) =>
    tags.some(tag => tag.kind === 'version' && existingTags.includes(tag.name))
  )

/**
 * mode build: log in while the registries are read (the guards need no
 * digest to read), build, decide (immutable release tags, forward-only
 * floating tags), push each image once under an exact tag, then point the
 * other exact tags and finally the floating ones over the registry API.
 */
export async function publishBuild(
  settings: Settings,
  plan: PublishPlan,
  env: PublishEnv
): Promise<PublishResult> {
  const push = settings.build.push
  const states = push
    ? readImageStates(env.registry, plan.images, plan.tags)
    : Promise.resolve([])
  states.catch(() => undefined) // a failed login must not leave it unhandled
  if (needsLogin(settings))
    await env.log.group('Login', () =>
      loginAll(env.docker, settings.logins, env.onLoggedIn, env.retry)
    )
  if (!push) {
    const built = await env.log.group('Build', () =>
      buildImage(buildJob(settings, plan, env, plan.refs, 'as-asked'), env)
    )
    return finalResult(plan.refs, env.progress, {
      ...built,
      metadata: built.raw
    })
  }
  const before = await env.log.group('Check the registries', () => states)
  return releaseTagExists(before, plan.tags)
    ? publishCompared(settings, plan, env, before)
    : publishDirect(settings, plan, env, before)
}
