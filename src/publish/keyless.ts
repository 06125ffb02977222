/**
 * sign: keyless in a run: GitHub's OIDC token is looked for before anything
 * runs, asked for (audience sigstore, masked) when the first digest is
 * signed, and the certificate made then, so its ten minutes start after the
 * build; every image of the run is signed with that one certificate.
 */
import { InputError } from '../errors.js'
import type { SigningSettings } from '../settings/signing.js'
import {
  openKeylessSigner,
  type KeylessSigner
} from '../registry/keyless-signer.js'
import { writeKeylessSignature } from '../registry/keyless-signatures.js'
import { keylessVerifyCommand } from '../registry/sigstore.js'
import { requestIdToken } from '../registry/sigstore-client.js'
import type { PublishEnv } from './context.js'
import type { ImageSigner } from './image-signer.js'

/** The runner's token request, or an error naming `sign` when the job may not ask for one. */
function tokenRequest(
  choice: string,
  processEnv: NodeJS.ProcessEnv
): { url: string; token: string } {
  const url = processEnv.ACTIONS_ID_TOKEN_REQUEST_URL ?? ''
  const token = processEnv.ACTIONS_ID_TOKEN_REQUEST_TOKEN ?? ''
  if (url === '' || token === '')
    throw new InputError(
      'sign',
      choice,
      'keyless signing needs GitHub\'s OIDC token, and ACTIONS_ID_TOKEN_REQUEST_URL is not set: give the job "permissions: id-token: write", or sign with "signing-key"'
    )
  return { url, token }
}

async function openSigner(
  signing: SigningSettings,
  request: { url: string; token: string },
  env: PublishEnv
): Promise<KeylessSigner> {
  const limits = {
    timeoutMs: env.registryTimeoutMs,
    retries: env.retry.retries,
    sleep: env.retry.sleep
  }
  const token = await requestIdToken(
    request.url,
    request.token,
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

/** The keyless signer of a run; throws now if the job has no OIDC token to ask for. */
export function keylessImageSigner(
  signing: SigningSettings,
  processEnv: NodeJS.ProcessEnv = process.env
): ImageSigner {
  const request = tokenRequest(signing.sign, processEnv)
  let opened: Promise<KeylessSigner> | undefined
  return {
    async sign(image, digest, env) {
      const signer = await (opened ??= openSigner(signing, request, env))
      const { tag, written } = await writeKeylessSignature(
        env.registry,
        image,
        digest,
        signer
      )
      return {
        line: `  ${image}:${tag} ${written ? 'signed' : 'already holds this signature'}, entered in ${signing.rekorUrl}`,
        verify: keylessVerifyCommand(
          signer.identity,
          signer.issuer,
          `${image}@${digest}`
        )
      }
    }
  }
}
