import { REDACTED, splitSecret } from './secret-lines.js'
import type { Settings } from './settings.js'

/** The parsed inputs as one debug line, every secret replaced (the ids of `secrets` lines stay). */
export function settingsDebugLine(settings: Settings): string {
  const { remote } = settings.build
  const redacted: Settings = {
    ...settings,
    logins: settings.logins.map(login => ({ ...login, password: REDACTED })),
    build: {
      ...settings.build,
      secrets: settings.build.secrets.map(
        (line, index) => `${splitSecret(line, index).id}=${REDACTED}`
      ),
      ...(remote && {
        remote: {
          endpoint: remote.endpoint,
          cacert: remote.cacert && REDACTED,
          cert: remote.cert && REDACTED,
          key: remote.key && REDACTED
        }
      })
    },
    cleanup: {
      ...settings.cleanup,
      githubToken: settings.cleanup.githubToken && REDACTED
    },
    signing: {
      ...settings.signing,
      key: settings.signing.key && REDACTED,
      password: settings.signing.password && REDACTED
    }
  }
  return `settings: ${JSON.stringify(redacted)}`
}
