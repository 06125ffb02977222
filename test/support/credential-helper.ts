/**
 * A docker config dir whose credentials come from the credential-helper
 * fixture (test/fixtures/credential-helper/docker-credential-dpa-fixture):
 * through `credHelpers` for some registries, or `credsStore` for all. The
 * env it returns puts the fixture on PATH and names its store and call log.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join, resolve } from 'node:path'

const CREDENTIAL_HELPER_DIR = resolve(
  import.meta.dirname,
  '../fixtures/credential-helper'
)
/** The helper's name in a docker config (docker-credential-<name>). */
const CREDENTIAL_HELPER_NAME = 'dpa-fixture'

interface HelperCredentials {
  username: string
  password: string
}

export interface CredentialHelperOptions {
  /** Which config key names the helper. */
  via: 'credHelpers' | 'credsStore'
  /** Server URL (as docker asks: "127.0.0.1:5001") → credentials. */
  credentials: Record<string, HelperCredentials>
}

export interface CredentialHelperConfig {
  /** The DOCKER_CONFIG dir (config.json only, no `auths`). */
  configDir: string
  /** DOCKER_CONFIG, PATH with the fixture first, and the fixture's store and log. */
  env: Record<string, string>
  /** The helper's calls so far, one per line ("get 127.0.0.1:5001"), never a secret. */
  calls(): string[]
}

export function writeCredentialHelperConfig(
  options: CredentialHelperOptions
): CredentialHelperConfig {
  const configDir = mkdtempSync(join(tmpdir(), 'dpa-cred-helper-'))
  const store = join(configDir, 'helper-store.json')
  const log = join(configDir, 'helper-calls.log')
  const entries = Object.fromEntries(
    Object.entries(options.credentials).map(([server, c]) => [
      server,
      { Username: c.username, Secret: c.password }
    ])
  )
  writeFileSync(store, JSON.stringify(entries), { mode: 0o600 })
  writeFileSync(log, '')
  const config =
    options.via === 'credsStore'
      ? { credsStore: CREDENTIAL_HELPER_NAME }
      : {
          credHelpers: Object.fromEntries(
            Object.keys(options.credentials).map(server => [
              server,
              CREDENTIAL_HELPER_NAME
            ])
          )
        }
  writeFileSync(join(configDir, 'config.json'), JSON.stringify(config))
  return {
    configDir,
    env: {
      DOCKER_CONFIG: configDir,
      PATH: [CREDENTIAL_HELPER_DIR, process.env.PATH ?? ''].join(delimiter),
      DPA_CRED_FIXTURE_STORE: store,
      DPA_CRED_FIXTURE_LOG: log
    },
    calls: () => readFileSync(log, 'utf8').split('\n').filter(Boolean)
  }
}
