import type { Settings } from '../action/settings.js'
import type { PublishPlan } from '../plan.js'
import { buildxBuildArgs } from './buildx-args.js'
import { loginArgs, logoutArgs } from './login-args.js'

/** Whether this run writes to a registry (and so needs the logins). */
export function needsLogin(settings: Settings): boolean {
  return settings.mode !== 'build' || settings.build.push
}

/** The docker commands a build-mode run executes, in order (for the plan and dry run). */
export function plannedCommands(
  settings: Settings,
  plan: PublishPlan,
  metadataFile: string
): string[][] {
  const logins = needsLogin(settings) ? settings.logins : []
  return [
    ...logins.map(l => loginArgs(l.registry, l.username)),
    buildxBuildArgs({
      build: settings.build,
      refs: plan.refs,
      labels: plan.labels,
      annotations: plan.annotations,
      metadataFile,
      secretSpecs: settings.build.secrets.map(
        s => `id=${s.split('=')[0]},src=<file>`
      )
    }),
    ...logins.map(l => logoutArgs(l.registry))
  ]
}
