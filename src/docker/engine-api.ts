/**
 * The engine's endpoints the run uses (`save`, `load`, the cleanup's removals) over its unix
 * socket, no docker process.
 */
import type { Readable } from 'node:stream'
import { roundTrip, type HttpResponse } from '../registry/http-fetch.js'

/** A removal the engine leaves unanswered this long is given up (and told as a warning). */
const REMOVAL_IDLE_MS = 60_000

/** Connection failures that mean "no engine on this socket": docker is asked instead. */
const UNREACHABLE = new Set(['ENOENT', 'ECONNREFUSED', 'EACCES', 'ENOTSOCK'])

/**
 * One request to the engine: false when the socket cannot be reached; a refusal throws as `command`
 * would.
 */
async function askEngine(
  socketPath: string,
  command: string,
  {
    method,
    path,
    idleMs,
    body
  }: { method: string; path: string; idleMs?: number; body?: Readable },
  answer: (response: HttpResponse) => Promise<void>
): Promise<boolean> {
  const signal = idleMs === undefined ? undefined : AbortSignal.timeout(idleMs)
  // as the socket's own error (the client wraps it as fetch does)
  const failed = (error: unknown): unknown =>
    signal?.aborted
      ? new Error(
          `${command}: the engine did not answer within ${idleMs! / 1000} s`
        )
      : error instanceof TypeError && error.cause !== undefined
        ? error.cause
        : error
  let response: HttpResponse
  try {
    response = await roundTrip(new URL(path, 'http://localhost'), {
      method,
      headers: body ? { 'Content-Type': 'application/x-tar' } : {},
      body,
      socketPath,
      answersEarly: true,
      signal
    })
  } catch (error) {
    const cause = failed(error) as NodeJS.ErrnoException
    if (UNREACHABLE.has(cause.code ?? '')) return false
    throw cause
  }
  if (response.status < 200 || response.status > 299)
    throw await refusal(command, response)
  await answer(response).catch((error: unknown) => {
    throw failed(error)
  })
  return true
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
    response => write(response.stream)
  )
}

/** `POST /images/load`: the engine answers 200, then says in its JSON stream whether it failed. */
export function engineLoad(
  socketPath: string,
  tar: Readable
): Promise<boolean> {
  return askEngine(
    socketPath,
    'docker load',
    { method: 'POST', path: '/images/load?quiet=1', body: tar },
    async response => {
      const failed = (await response.text())
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

/** The cleanup's removals the engine's API takes as docker sends them: the argv before a name. */
const REMOVALS = [
  { argv: ['image', 'rm'], path: (name: string) => `/images/${name}` },
  {
    argv: ['rm', '--force', '--volumes'],
    path: (name: string) => `/containers/${name}?force=1&v=1`
  },
  {
    argv: ['volume', 'rm', '--force'],
    path: (name: string) => `/volumes/${name}?force=1`
  }
]

/**
 * The `DELETE` of the removal `argv` (`image rm`, `rm --force --volumes`, `volume rm --force` of
 * one name) and docker's name for it; undefined where argv is no such removal.
 */
export function removalRequest(
  argv: string[]
): { command: string; path: string } | undefined {
  const removal = REMOVALS.find(
    ({ argv: before }) =>
      argv.length === before.length + 1 &&
      before.every((arg, at) => argv[at] === arg)
  )
  return (
    removal && {
      command: `docker ${removal.argv.join(' ')}`,
      path: removal.path(encodeURIComponent(argv[argv.length - 1]))
    }
  )
}

/**
 * Runs the removal `argv` as its `DELETE` request; false where the engine is not on the socket or
 * argv is no such removal.
 */
export function engineRemove(
  socketPath: string,
  argv: string[]
): Promise<boolean> {
  const request = removalRequest(argv)
  if (request === undefined) return Promise.resolve(false)
  return askEngine(
    socketPath,
    request.command,
    { method: 'DELETE', path: request.path, idleMs: REMOVAL_IDLE_MS },
    async response => void (await response.text())
  )
}

/** The engine's error answer as docker prints it. */
async function refusal(
  command: string,
  response: HttpResponse
): Promise<Error> {
  const body = await response.text()
  let message = body.trim()
  try {
    message = (JSON.parse(body) as { message?: string }).message ?? message
  } catch {
    // not JSON: the text as it came
  }
  return new Error(
    `${command}: Error response from daemon: ${message} (HTTP ${response.status})`
  )
}
