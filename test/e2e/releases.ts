/** Tag releases of the hello fixture, started as the runner starts the action for a tag push. */
import { runMain, runPost, type StepResult } from './runner.js'
import type { StackRegistry } from '../support/stack-env.js'
import { credentials, loginsFor, runnerEnv } from './steps.js'

export const HELLO = 'test/fixtures/contexts/hello'

/** Another commit than the fixture's: its build of a release is not a re-run. */
export const OTHER_COMMIT = 'f00dfacef00dfacef00dfacef00dfacef00dface'

/** A tag push of `version`, as the runner would start the action for it. */
export function tagPush(version: string, sha?: string): Record<string, string> {
  return runnerEnv('push-tag', {
    GITHUB_REF: `refs/tags/v${version}`,
    GITHUB_REF_NAME: `v${version}`,
    ...(sha === undefined ? {} : { GITHUB_SHA: sha })
  })
}

/** Runs main and post for a release of `version` to `host/repo`. */
export async function publishRelease(
  registry: StackRegistry,
  repo: string,
  version: string,
  inputs: Record<string, string> = {},
  host = registry.host,
  env = tagPush(version)
): Promise<StepResult> {
  const main = await runMain(
    {
      images: `${host}/${repo}`,
      logins: loginsFor({ ...registry, host }),
      context: HELLO,
      ...inputs
    },
    env
  )
  await runPost(main, env)
  return main
}

/** The tags a release of v1.2.3 is asked for. */
export const RELEASE_TAGS = ['1', '1.2', '1.2.3']

/** cosign's signature tag of a digest. */
export const sigTag = (digest: string): string =>
  `${digest.replace(':', '-')}.sig`

/** The `::error::` lines of a step's log. */
export const errorLines = (stdout: string): string[] =>
  stdout.split('\n').filter(line => line.startsWith('::error::'))

/** Runs main for the hello fixture to `registry/repo` with that registry's user (a v1.2.3 tag push). */
export function runHello(
  registry: StackRegistry,
  repo: string,
  inputs: Record<string, string>,
  env: Record<string, string> = runnerEnv('push-tag')
): Promise<StepResult> {
  return runMain(
    {
      images: `${registry.host}/${repo}`,
      ...credentials(registry),
      context: HELLO,
      ...inputs
    },
    env
  )
}

/** The annotations an index carries by default (as GHCR reads them), sorted. */
export const INDEX_ANNOTATION_KEYS = [
  'org.opencontainers.image.created',
  'org.opencontainers.image.description',
  'org.opencontainers.image.licenses',
  'org.opencontainers.image.revision',
  'org.opencontainers.image.source',
  'org.opencontainers.image.version'
]
