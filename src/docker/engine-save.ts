/**
 * The engine's save endpoint (`GET /images/get`, what `docker save` asks)
 * over its local unix socket. A real run has node:http loaded already for
 * the registry client.
 */
import { request, type IncomingMessage } from 'node:http'
import type { Readable } from 'node:stream'

/** Connection failures that mean "no engine on this socket": docker is asked instead. */
const UNREACHABLE = new Set(['ENOENT', 'ECONNREFUSED', 'EACCES', 'ENOTSOCK'])

/**
 * Streams the saved tar of `image` to `write`. False when the socket cannot
 * be reached (nothing was read); a refusal of the engine throws its message,
 * as docker would print it.
 */
export function engineSave(
  socketPath: string,
  image: string,
  write: (tar: Readable) => Promise<void>
): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const asked = request(
      {
        socketPath,
        path: `/images/get?names=${encodeURIComponent(image)}`
      },
      response => {
        if (response.statusCode === 200)
          write(response).then(() => resolve(true), reject)
        else refusal(response).then(reject, reject)
      }
    )
    asked.on('error', (error: NodeJS.ErrnoException) => {
      if (UNREACHABLE.has(error.code ?? '')) resolve(false)
      else reject(error)
    })
    asked.end()
  })
}

/** The engine's error answer as docker prints it. */
async function refusal(response: IncomingMessage): Promise<Error> {
  const chunks: Buffer[] = []
  for await (const chunk of response) chunks.push(chunk as Buffer)
  const body = Buffer.concat(chunks).toString('utf8')
  let message = body.trim()
  try {
    message = (JSON.parse(body) as { message?: string }).message ?? message
  } catch {
    // not JSON: the text as it came
  }
  return new Error(
    `docker save: Error response from daemon: ${message} (HTTP ${response.statusCode})`
  )
}
