/**
 * What signs a run's digests: a key, or keyless (the OIDC token asked for
 * when the first digest is signed, so the certificate's ten minutes start
 * after the build; every image of the run is signed with it).
 */
import type { Image } from '../reference/images.js'
import { InputError } from '../errors/input-error.js'
import type { SigningSettings } from '../settings/signing.js'
import type { RunBounds } from '../settings/bounds.js'
import type { RegistryClient } from '../registry/client.js'
import type { RetryPolicy } from '../docker/retrying.js'
import { addSignature, writeSignature } from './signatures.js'
import type { Signer } from './signing-key.js'
import { keylessVerifyCommand } from './sigstore.js'
import {
  openKeylessSigner,
  requestIdToken,
  type KeylessSigner
} from './sigstore-client.js'

/** What a signer needs of the run: the registry, its limits, and a log that masks. */
interface SigningContext {
  registry: RegistryClient
  bounds: Pick<RunBounds, 'registryMs'>
  retry: RetryPolicy
  log: { info(message: string): void; mask(secret: string): void }
}

/** Signs a digest in an image: the log line, and the command that verifies it. */
export type ImageSigner = (
  image: Image,
  digest: string,
  env: SigningContext
) => Promise<{ line: string; verify: string }>

export function keySigner(signer: Signer): ImageSigner {
  return async (image, digest, env) => {
    const { tag, written } = await writeSignature(
      env.registry,
      image,
      digest,
      signer
    )
    return {
      line: `  ${image.name}:${tag} ${written ? 'signed' : 'already signed by this key'}`,
      // tlog: key signatures go to no Rekor
      verify: `cosign verify --key cosign.pub --insecure-ignore-tlog=true ${image.name}@${digest}`
    }
  }
}

async function openSigner(
  signing: SigningSettings,
  requestUrl: string,
  requestToken: string,
  env: SigningContext
): Promise<KeylessSigner> {
  const limits = { timeoutMs: env.bounds.registryMs, ...env.retry }
  const token = await requestIdToken(
    requestUrl,
    requestToken,
    'sigstore',
    limits
  )
  env.log.mask(token)
  const signer = await openKeylessSigner(token, {
    fulcioUrl: signing.fulcioUrl,
    rekorUrl: signing.rekorUrl,
    limits
  })
  env.log.info(
    `  certificate from ${signing.fulcioUrl} for ${signer.identity} (issuer ${signer.issuer})`
  )
  return signer
}

/**
 * The keyless signer of a run; throws now, naming `sign`, if the job has no OIDC token to ask for.
 */
export function keylessImageSigner(
  signing: SigningSettings,
  processEnv: NodeJS.ProcessEnv
): ImageSigner {
  const url = processEnv.ACTIONS_ID_TOKEN_REQUEST_URL ?? ''
  const token = processEnv.ACTIONS_ID_TOKEN_REQUEST_TOKEN ?? ''
  if (url === '' || token === '')
    throw new InputError(
      'sign',
      signing.sign,
      "keyless signing needs GitHub's OIDC token, and ACTIONS_ID_TOKEN_REQUEST_URL is not set: " +
        'give the job "permissions: id-token: write", or sign with "signing-key"'
    )
  let opened: Promise<KeylessSigner> | undefined
  return async (image, digest, env) => {
    const signer = await (opened ??= openSigner(signing, url, token, env))
    const { tag, written } = await addSignature(
      env.registry,
      image,
      digest,
      signer
    )
    return {
      line:
        `  ${image.name}:${tag} ${written ? 'signed' : 'already holds this signature'}, ` +
        `entered in ${signing.rekorUrl}`,
      verify: keylessVerifyCommand(
        signer.identity,
        signer.issuer,
        `${image.name}@${digest}`
      )
    }
  }
}
