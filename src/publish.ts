import type { PublishResult } from './action/outputs.js'
import type { Settings } from './action/settings.js'
import {
  buildxBuild,
  checkDaemon,
  classicBuild,
  hasBuildx
} from './docker/build.js'
import { needsLogin } from './docker/commands.js'
import { loginAll } from './docker/login.js'
import type { DockerRunner } from './docker/runner.js'
import type { Log } from './log.js'
import type { PublishPlan } from './plan.js'

export interface PublishEnv {
  docker: DockerRunner
  log: Log
  /** A folder of ours for this run's files; the post step removes it. */
  tempDir: string
  /** Called after each successful login, so cleanup knows what to undo. */
  onLoggedIn: (registry: string) => void
}

/** mode build: log in, build with every tag, push, and report what landed. */
export async function publishBuild(
  settings: Settings,
  plan: PublishPlan,
  env: PublishEnv
): Promise<PublishResult> {
  const { docker, log } = env
  await log.group('Docker', async () => {
    await checkDaemon(docker)
  })
  const buildx = await hasBuildx(docker)
  if (needsLogin(settings))
    await log.group('Login', () =>
      loginAll(docker, settings.logins, env.onLoggedIn)
    )
  const job = {
    ...plan,
    build: settings.build,
    tempDir: env.tempDir,
    registries: [...new Set(plan.images.map(i => i.registry))]
  }
  const metadata = await log.group('Build', () =>
    buildx ? buildxBuild(docker, job) : classicBuild(docker, job, log)
  )
  const pushed = settings.build.push
    ? plan.refs.map(ref => ({ ref, digest: metadata.digest }))
    : []
  for (const p of pushed) log.info(`Pushed ${p.ref}@${p.digest}`)
  return {
    digest: metadata.digest,
    imageid: metadata.imageId,
    metadata: metadata.raw,
    pushed,
    skipped: []
  }
}
