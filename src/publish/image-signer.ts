/**
 * What signs a run's digests, behind one interface the sign phase calls:
 * the key here, keyless in keyless.ts.
 */
import type { Signer } from '../registry/signing-key.js'
import { writeSignature } from '../registry/signatures.js'
import type { PublishEnv } from './context.js'

/** Signs a digest in an image: the log line, and the command that verifies it. */
export interface ImageSigner {
  sign(
    image: string,
    digest: string,
    env: PublishEnv
  ): Promise<{ line: string; verify: string }>
}

export function keySigner(signer: Signer): ImageSigner {
  return {
    async sign(image, digest, env) {
      const { tag, written } = await writeSignature(
        env.registry,
        image,
        digest,
        signer
      )
      return {
        line: `  ${image}:${tag} ${written ? 'signed' : 'already signed by this key'}`,
        verify: verifyCommand(image, digest)
      }
    }
  }
}

/** The command a person pastes to check the signature (tlog: key signatures go to no Rekor). */
export function verifyCommand(image: string, digest: string): string {
  return `cosign verify --key cosign.pub --insecure-ignore-tlog=true ${image}@${digest}`
}
