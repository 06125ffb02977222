import * as core from './toolkit.js'
import { parseSettings, type Settings } from './settings.js'

/** Reads every input through the toolkit and masks each secret the moment it is read. */
export async function readActionSettings(): Promise<Settings> {
  const settings = await parseSettings(name => core.getInput(name))
  for (const login of settings.logins) core.setSecret(login.password)
  for (const secret of settings.build.secrets) {
    const value = secret.slice(secret.indexOf('=') + 1)
    if (value !== '') core.setSecret(value)
  }
  return settings
}
