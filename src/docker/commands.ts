import type { Settings } from '../action/settings.js'
import type { PublishPlan } from '../plan.js'
import { splitSecret } from '../secrets.js'
import { buildxBuildArgs, pushingBuild } from './buildx-args.js'
import { imagetoolsCreateArgs } from './imagetools-args.js'
import { loginArgs, logoutArgs } from './login-args.js'
import { stagingTag } from '../publish/staging.js'

/** Whether this run writes to a registry (and so needs the logins). */
export function needsLogin(settings: Settings): boolean {
  return settings.mode !== 'build' || settings.build.push
}

function secretSpecs(settings: Settings): string[] {
  return settings.build.secrets.map(
    (line, index) => `id=${splitSecret(line, index).id},src=<file>`
  )
}

/**
 * The common case: no release tag exists yet, so buildx pushes each image
 * under its lead tag (when one does, the build goes to the local store and
 * `docker push` follows the guards' check).
 */
function buildCommands(
  settings: Settings,
  plan: PublishPlan,
  metadataFile: string
): string[][] {
  const lead = plan.tags[0]?.name
  const push = settings.build.push
  const refs =
    push && lead ? plan.images.map(i => `${i.name}:${lead}`) : plan.refs
  return [
    buildxBuildArgs({
      build: push ? pushingBuild(settings.build) : settings.build,
      refs,
      labels: plan.labels,
      annotations: plan.annotations,
      metadataFile,
      secretSpecs: secretSpecs(settings)
    })
  ]
}

function digestCommands(
  settings: Settings,
  plan: PublishPlan,
  metadataFile: string
): string[][] {
  const tag = stagingTag(plan.buildId, settings.build.platforms[0] ?? '')
  const refs = plan.images.map(i => `${i.name}:${tag}`)
  const build = buildxBuildArgs({
    build: { ...settings.build, push: false, load: true },
    refs,
    labels: plan.labels,
    annotations: plan.annotations,
    metadataFile,
    secretSpecs: secretSpecs(settings)
  })
  return [build, ...refs.map(ref => ['push', ref])]
}

function mergeCommand(settings: Settings, plan: PublishPlan): string[][] {
  const lead = plan.tags[0]?.name
  if (!lead) return []
  return plan.images.map(image =>
    imagetoolsCreateArgs(
      [`${image.name}:${lead}`],
      settings.build.platforms.map(
        p => `${image.name}@<digest of ${stagingTag(plan.buildId, p)}>`
      )
    )
  )
}

function promoteCommand(settings: Settings, plan: PublishPlan): string[][] {
  const lead = plan.tags[0]?.name
  if (!lead) return []
  return [
    imagetoolsCreateArgs(
      plan.images.map(i => `${i.name}:${lead}`),
      [settings.source]
    )
  ]
}

/**
 * The docker commands a run executes, in order, for the plan and dry run
 * (the first tag leads; the guards may pick another, and the other tags are
 * pointed by manifest PUTs over the registry API, not by docker).
 */
export function plannedCommands(
  settings: Settings,
  plan: PublishPlan,
  metadataFile: string
): string[][] {
  const logins = needsLogin(settings) ? settings.logins : []
  const work = {
    build: () => buildCommands(settings, plan, metadataFile),
    promote: () => promoteCommand(settings, plan),
    digest: () => digestCommands(settings, plan, metadataFile),
    merge: () => mergeCommand(settings, plan)
  }[settings.mode]()
  return [
    ...logins.map(l => loginArgs(l.registry, l.username)),
    ...work,
    ...logins.map(l => logoutArgs(l.registry))
  ]
}
