import type { Settings } from '../action/settings.js'
import type { PublishPlan } from '../plan.js'
import { buildxBuildArgs } from './buildx-args.js'
import { loginArgs, logoutArgs } from './login-args.js'

/** Whether this run writes to a registry (and so needs the logins). */
export function needsLogin(settings: Settings): boolean {
  return settings.mode !== 'build' || settings.build.push
}

function buildCommands(
  settings: Settings,
  plan: PublishPlan,
  metadataFile: string
): string[][] {
  const push = settings.build.push
  const build = buildxBuildArgs({
    build: push
      ? { ...settings.build, push: false, load: true }
      : settings.build,
    refs: plan.refs,
    labels: plan.labels,
    annotations: plan.annotations,
    metadataFile,
    secretSpecs: settings.build.secrets.map(
      s => `id=${s.split('=')[0]},src=<file>`
    )
  })
  const lead = plan.tags[0]?.name
  const pushes =
    push && lead ? plan.images.map(i => ['push', `${i.name}:${lead}`]) : []
  return [build, ...pushes]
}

function promoteCommand(settings: Settings, plan: PublishPlan): string[][] {
  const lead = plan.tags[0]?.name
  if (!lead) return []
  const tags = plan.images.flatMap(i => ['--tag', `${i.name}:${lead}`])
  return [['buildx', 'imagetools', 'create', ...tags, settings.source]]
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
  const work =
    settings.mode === 'promote'
      ? promoteCommand(settings, plan)
      : buildCommands(settings, plan, metadataFile)
  return [
    ...logins.map(l => loginArgs(l.registry, l.username)),
    ...work,
    ...logins.map(l => logoutArgs(l.registry))
  ]
}
