import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadEvent, type EventName } from '../fixtures/events.js'
import { uniqueRepository } from '../support/registry-seed.js'
import type { StackRegistry } from '../support/stack-env.js'

/** The runner env of an event, with a private docker config per step (so cleanup can be checked). */
export function runnerEnv(
  event: EventName,
  extra: Record<string, string> = {}
): Record<string, string> {
  return {
    ...loadEvent(event).env,
    DOCKER_CONFIG: mkdtempSync(join(tmpdir(), 'dpa-docker-config-')),
    ...extra
  }
}

/** The username/password inputs for one registry's user. */
export function credentials(registry: StackRegistry): Record<string, string> {
  return { username: registry.username, password: registry.password }
}

/** The `logins` input giving each registry its own user. */
export function loginsFor(...registries: StackRegistry[]): string {
  return registries
    .map(
      r =>
        `- registry: ${r.host}\n  username: ${r.username}\n  password: ${r.password}`
    )
    .join('\n')
}

/** A repository name no other run uses. */
export function uniqueRepo(prefix: string): string {
  return uniqueRepository(`e2e/${prefix}`)
}
