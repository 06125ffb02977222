import * as core from '@actions/core'
import { splitSecret } from '../settings/secret-lines.js'
import { mask } from './actions-log.js'
import {
  parseSettings,
  UNTRIMMED_INPUTS,
  type Settings
} from '../settings/settings.js'
import { settingsDebugLine } from '../settings/redact.js'
import type { ContextOrigin } from '../settings/build-context.js'
import { gitContextFromRunner, serverUrlOf } from '../context/git-source.js'
import { readEventPayload } from '../context/event-file.js'

/** build-push-action's default context: the Git context of the run's commit. */
function runnerOrigin(env: NodeJS.ProcessEnv): ContextOrigin {
  // the payload matters only for DOCKER_DEFAULT_GIT_CONTEXT_PR_HEAD_REF's head sha
  const payload = env.DOCKER_DEFAULT_GIT_CONTEXT_PR_HEAD_REF
    ? readEventPayload(env.GITHUB_EVENT_PATH)
    : {}
  const git = gitContextFromRunner(env, payload)
  return { runner: true, serverUrl: serverUrlOf(env), ...(git && { git }) }
}

/** Reads every input through @actions/core and masks each secret the moment it is read. */
export async function readActionSettings(): Promise<Settings> {
  // masked before anything can print it, used or not
  mask(core.getInput('github-token'))
  const settings = await parseSettings(
    name =>
      core.getInput(name, { trimWhitespace: !UNTRIMMED_INPUTS.includes(name) }),
    runnerOrigin(process.env)
  )
  for (const login of settings.logins) mask(login.password)
  const { key, password } = settings.signing
  mask(password)
  // the remote BuildKit's TLS material: all of it, the CA and certificate too
  const { remote } = settings.build
  const pems = remote ? [key, remote.cacert, remote.cert, remote.key] : [key]
  // a PEM is masked line by line too: the runner masks each line of a multi-line secret
  for (const pem of pems) {
    mask(pem)
    for (const line of pem.split(/\r?\n/))
      if (line.trim() !== '' && !line.startsWith('-----')) mask(line.trim())
  }
  settings.build.secrets.forEach((line, index) =>
    mask(splitSecret(line, index).value)
  )
  core.debug(settingsDebugLine(settings))
  return settings
}
