/**
 * A remote BuildKit's TLS material tried before buildx uses it. Only a real run loads this module
 * (with node:tls and the diagnosis).
 */
import { connect, type TLSSocket } from 'node:tls'
import { isIP } from 'node:net'
import type { BuildkitEndpoint } from '../settings/buildkit-endpoint.js'
import { errorMessage, InputError } from '../errors/input-error.js'
import { endpointDown, tlsFault } from '../docker/diagnose.js'

/**
 * One TLS handshake as buildx will make it: misfit material fails at once naming its input (buildx
 * only times out), never its value.
 */
export async function probeBuildkitTls(
  remote: BuildkitEndpoint,
  timeoutMs = 10_000
): Promise<void> {
  if (remote.cacert === '' && remote.cert === '') return
  const url = new URL(remote.endpoint.replace(/^tcp:/, 'https:'))
  const host = url.hostname.replace(/^\[|\]$/g, '')
  const fault = (message: string): InputError =>
    tlsFault(message, 'node', remote.endpoint, () => message) ??
    new InputError(
      'endpoint',
      remote.endpoint,
      `no TLS connection to the BuildKit daemon (${message})`
    )
  await new Promise<void>((resolve, reject) => {
    let socket: TLSSocket
    try {
      socket = connect({
        host,
        port: Number(url.port),
        ...(isIP(host) === 0 && { servername: host }),
        ...(remote.cacert !== '' && { ca: remote.cacert }),
        ...(remote.cert !== '' && { cert: remote.cert, key: remote.key }),
        ALPNProtocols: ['h2'],
        timeout: timeoutMs
      })
    } catch (error) {
      reject(fault(errorMessage(error)))
      return
    }
    const fail = (error: Error & { code?: string }) => {
      socket.destroy()
      reject(
        /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT/.test(error.code ?? '')
          ? endpointDown(remote.endpoint, error.code ?? error.message)
          : fault(`${error.code ?? ''} ${error.message}`.trim())
      )
    }
    socket.once('error', fail)
    socket.once('timeout', () =>
      fail(Object.assign(new Error('no answer'), { code: 'ETIMEDOUT' }))
    )
    // TLS 1.3: a refused client certificate comes as an alert after the handshake: wait a moment
    socket.once('secureConnect', () =>
      setTimeout(() => {
        socket.destroy()
        resolve()
      }, 100)
    )
  })
}
