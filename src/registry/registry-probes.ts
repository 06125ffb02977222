/** Whether a registry answers: its API, with or without credentials, and an upload endpoint. */
import { parseRegistry } from '../reference/repository.js'
import type { Image } from '../reference/images.js'
import { pushScope, type Transport } from './transport.js'

/** An upload id no registry has handed out (pingUploads asks for it). */
const UPLOAD_PROBE = 'docker-publish-action-liveness-probe'

export interface RegistryProbes {
  /** Resolves if the registry answers the API (401 counts). */
  ping(registry: string): Promise<void>
  /** Resolves if the registry accepts the credentials it is given (GET /v2/ authenticated). */
  checkCredentials(registry: string): Promise<void>
  /**
   * Resolves when the registry answers (any status) on the repository's
   * upload endpoint, where a push writes: asks for an upload that does not
   * exist, so nothing is written. Rejects when no answer came in time.
   */
  pingUploads(image: Image): Promise<void>
}

/** GET /v2/: unauthenticated a 401 counts as an answer, authenticated it fails. */
function getV2(
  transport: Transport,
  authenticate: boolean
): (registry: string) => Promise<void> {
  return async registry => {
    const request = { method: 'GET', path: '/v2/', authenticate } as const
    await transport.request(
      parseRegistry(registry),
      request,
      async (response, fail) => {
        if (!response.ok && (authenticate || response.status !== 401))
          throw await fail()
        await response.body?.cancel()
      }
    )
  }
}

export function registryProbes(transport: Transport): RegistryProbes {
  return {
    ping: getV2(transport, false),
    checkCredentials: getV2(transport, true),
    async pingUploads(ref) {
      const request = {
        method: 'GET',
        path: `/v2/${ref.repository}/blobs/uploads/${UPLOAD_PROBE}`,
        scope: pushScope(ref)
      } as const
      await transport.request(ref, request, async response => {
        await response.body?.cancel()
      })
    }
  }
}
