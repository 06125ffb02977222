/**
 * The run every part uses: a push of tag v1.2.3 (the push-tag fixture
 * payload, read in place: a bundler cannot relocate the fixture folder that
 * test/fixtures/events.ts computes) with the GITHUB_* variables the runner sets.
 */
import { join } from 'node:path'
import { ROOT } from '../../test/e2e/runner.js'
import { SHAS } from '../../test/fixtures/events.js'

export const HELLO = 'test/fixtures/contexts/hello'

/** Four rules: 1.2.3, 1.2, 1 and sha-2899da6 on this event. */
export const TAG_RULES = [
  'type=semver,pattern={{version}}',
  'type=semver,pattern={{major}}.{{minor}}',
  'type=semver,pattern={{major}}',
  'type=sha'
]

/** The tags TAG_RULES give on this event, for the bare docker CLI. */
export const TAG_NAMES = [
  '1.2.3',
  '1.2',
  '1',
  `sha-${SHAS.release.slice(0, 7)}`
]

/**
 * DOCKER_HOST as the bench was given it, for both sides: `DOCKER_HOST=unix:///var/run/dpa-docker-classic.sock
 * npm run bench` measures the classic image store (the GitHub-hosted runners' store).
 */
export function dockerHostEnv(): Record<string, string> {
  const host = process.env.DOCKER_HOST
  return host === undefined || host === '' ? {} : { DOCKER_HOST: host }
}

export function tagPushEnv(): Record<string, string> {
  return {
    ...dockerHostEnv(),
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_EVENT_PATH: join(ROOT, 'test/fixtures/events/push-tag.json'),
    GITHUB_REF: 'refs/tags/v1.2.3',
    GITHUB_REF_NAME: 'v1.2.3',
    GITHUB_REF_TYPE: 'tag',
    GITHUB_SHA: SHAS.release,
    GITHUB_BASE_REF: '',
    GITHUB_HEAD_REF: '',
    GITHUB_REPOSITORY: 'acme/webapp',
    GITHUB_REPOSITORY_OWNER: 'acme',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_WORKSPACE: ROOT
  }
}
