/** What the action replaces, done with the bare docker CLI: login, one buildx build --push (buildx's defaults), logout. */
import { join } from 'node:path'
import { ROOT } from '../../test/e2e/runner.js'
import type { StackRegistry } from '../../test/support/stack-env.js'
import { HELLO, TAG_NAMES } from './event.js'
import { exec } from './proc.js'

/** Publishes a context (the hello one by default) as `image` under TAG_NAMES, with DOCKER_CONFIG from `env`. */
export async function bareDockerPublish(
  image: string,
  registry: StackRegistry,
  env: NodeJS.ProcessEnv,
  context = join(ROOT, HELLO)
): Promise<void> {
  const { host, username, password } = registry
  await exec('docker', ['login', host, '-u', username, '--password-stdin'], {
    env,
    input: password
  })
  await exec(
    'docker',
    [
      'buildx',
      'build',
      ...TAG_NAMES.flatMap(tag => ['-t', `${image}:${tag}`]),
      // buildx's default attestations, as the action's build on this driver
      // has them (a provenance manifest on the containerd store, none on the
      // classic one): like with like
      '--push',
      context
    ],
    { env }
  )
  await exec('docker', ['logout', host], { env })
}
