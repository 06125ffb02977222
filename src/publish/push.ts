import { diagnose } from '../docker/diagnose.js'
import { retryDocker } from '../docker/retrying.js'
import type { Image } from '../images.js'
import type { PublishEnv } from './context.js'

const PUSHED_DIGEST = /digest: (sha256:[0-9a-f]{64})/

/**
 * `docker push` of one reference (the daemon sends the image from its store,
 * each layer once); returns the digest the registry confirmed.
 */
export async function dockerPush(
  image: Image,
  tag: string,
  env: PublishEnv
): Promise<string> {
  const ref = `${image.name}:${tag}`
  const { stdout } = await retryDocker(
    () => env.docker.run(['push', ref]),
    env.retry,
    `push ${ref}`
  ).catch((error: unknown) => {
    throw diagnose(error, [image.registry])
  })
  const digest = PUSHED_DIGEST.exec(stdout)?.[1] ?? ''
  env.progress.pushed.push({ ref, digest })
  return digest
}
