/**
 * The engine's image endpoints that docker's `save`, `load` and `image rm` ask,
 * over its local unix socket: no docker process starts. A real run has
 * node:http loaded already for the registry client.
 */
import { request, type IncomingMessage } from 'node:http'
import type { Readable } from 'node:stream'

/** A removal the engine leaves unanswered this long is given up (and told as a warning). */
const REMOVAL_IDLE_MS = 60_000

/** Connection failures that mean "no engine on this socket": docker is asked instead. */
const UNREACHABLE = new Set(['ENOENT', 'ECONNREFUSED', 'EACCES', 'ENOTSOCK'])

/**
 * One request to the engine; `answer` gets a 200 response. False when the
 * socket cannot be reached (nothing was asked); a refusal of the engine
 * throws its message as `command` would print it.
 */
function askEngine(
  socketPath: string,
  command: string,
  ask: { method: string; path: string; idleMs?: number; body?: Readable },
  answer: (response: IncomingMessage) => Promise<void>
): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const { idleMs, body, ...where } = ask
    const headers = body ? { 'Content-Type': 'application/x-tar' } : {}
    const asked = request({ socketPath, headers, ...where }, response => {
      if (response.statusCode === 200)
        answer(response).then(() => resolve(true), reject)
      else refusal(command, response).then(reject, reject)
    })
    if (idleMs !== undefined)
      asked.setTimeout(idleMs, () =>
        asked.destroy(
          new Error(
            `${command}: the engine did not answer within ${idleMs / 1000} s`
          )
        )
      )
    asked.on('error', (error: NodeJS.ErrnoException) => {
      if (UNREACHABLE.has(error.code ?? '')) resolve(false)
      else reject(error)
    })
    if (body === undefined) asked.end()
    else {
      body.on('error', error => asked.destroy(error))
      body.pipe(asked)
    }
  })
}

/** Streams the saved tar of `image` to `write` (`GET /images/get`). */
export function engineSave(
  socketPath: string,
  image: string,
  write: (tar: Readable) => Promise<void>
): Promise<boolean> {
  return askEngine(
    socketPath,
    'docker save',
    { method: 'GET', path: `/images/get?names=${encodeURIComponent(image)}` },
    write
  )
}

/**
 * Loads an image tar into the engine (`POST /images/load`, as `docker load`).
 * The engine answers 200 and then says in its JSON stream whether it failed.
 */
export function engineLoad(
  socketPath: string,
  tar: Readable
): Promise<boolean> {
  return askEngine(
    socketPath,
    'docker load',
    { method: 'POST', path: '/images/load?quiet=1', body: tar },
    async response => {
      const failed = (await readBody(response))
        .split('\n')
        .map(line => /"error":\s*("(?:[^"\\]|\\.)*")/.exec(line)?.[1])
        .find(error => error !== undefined)
      if (failed !== undefined)
        throw new Error(
          `docker load: Error response from daemon: ${JSON.parse(failed) as string}`
        )
    }
  )
}

/** Removes `image` from the engine's store as `docker image rm` does (`DELETE /images/{name}`). */
export function engineRemoveImage(
  socketPath: string,
  image: string
): Promise<boolean> {
  return askEngine(
    socketPath,
    'docker image rm',
    {
      method: 'DELETE',
      path: `/images/${encodeURIComponent(image)}`,
      idleMs: REMOVAL_IDLE_MS
    },
    response => readBody(response).then(() => undefined)
  )
}

async function readBody(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of response) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** The engine's error answer as docker prints it. */
async function refusal(
  command: string,
  response: IncomingMessage
): Promise<Error> {
  const body = await readBody(response)
  let message = body.trim()
  try {
    message = (JSON.parse(body) as { message?: string }).message ?? message
  } catch {
    // not JSON: the text as it came
  }
  return new Error(
    `${command}: Error response from daemon: ${message} (HTTP ${response.statusCode})`
  )
}
