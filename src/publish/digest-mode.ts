import type { PublishResult } from '../action/outputs.js'
import type { Settings } from '../action/settings.js'
import type { BuildJob } from '../docker/build.js'
import { loginAll } from '../docker/login.js'
import type { PublishPlan } from '../plan.js'
import { buildImage } from './build-mode.js'
import { finalResult, type PublishEnv } from './context.js'
import { dockerPush } from './push.js'
import { stagingTag } from './staging.js'

/**
 * mode digest, one leg of a matrix: builds its one platform and pushes it
 * under this run's staging tag only, so no tag a user pulls moves; the merge
 * job finds it there by name.
 */
export async function publishDigest(
  settings: Settings,
  plan: PublishPlan,
  env: PublishEnv
): Promise<PublishResult> {
  const platform = settings.build.platforms[0]
  const tag = stagingTag(plan.buildId, platform)
  await env.log.group('Login', () =>
    loginAll(env.docker, settings.logins, env.onLoggedIn, env.retry)
  )
  const job: BuildJob = {
    ...plan,
    refs: plan.images.map(image => `${image.name}:${tag}`),
    build: { ...settings.build, push: false, load: true },
    tempDir: env.tempDir,
    registries: [...new Set(plan.images.map(i => i.registry))]
  }
  const built = await env.log.group('Build', () => buildImage(job, env))
  let digest = built.digest
  await env.log.group('Push', async () => {
    for (const image of plan.images)
      digest = (await dockerPush(image, tag, env)) || digest
  })
  env.log.info(`${platform} is ${digest}, staged as ${tag} for the merge job`)
  return finalResult(job.refs, env.progress, {
    digest,
    imageId: built.imageId,
    metadata: built.raw
  })
}
