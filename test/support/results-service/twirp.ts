/**
 * The twirp JSON API of the results services, as the toolkit's clients and
 * go-actions-cache call it: POST /twirp/github.actions.results.api.v1.<Service>/<Method>
 * with a JSON body whose fields have their proto names (int64 as a string from
 * protobuf-ts, as a number from Go; both read here), answered 200 with JSON, or
 * with an HTTP status and `{code, msg}` (twirp's error body: the toolkit reads
 * `msg`, go-actions-cache maps `code` "already_exists" to its os.ErrExist).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import {
  HangUp,
  readBody,
  ServiceError,
  type Fault,
  type ResultsContext,
  type Scope,
  type ServiceHandler
} from './server.js'

/** A twirp method: the token's scope and the request body in, the answer's body out. */
export type TwirpMethod = (
  scope: Scope,
  body: Record<string, unknown>
) => unknown

const prefix = (service: string) =>
  `/twirp/github.actions.results.api.v1.${service}/`

/** twirp's error code for the statuses a fault answers (twirp's spec, "Error codes"). */
const CODES: Record<number, string> = {
  400: 'invalid_argument',
  401: 'unauthenticated',
  403: 'permission_denied',
  404: 'not_found',
  409: 'already_exists',
  429: 'resource_exhausted',
  500: 'internal',
  503: 'unavailable',
  504: 'deadline_exceeded'
}

/** A string field; '' when absent. */
export function text(body: Record<string, unknown>, key: string): string {
  const value = body[key]
  return typeof value === 'string' ? value : ''
}

/** A wrapper (StringValue, Int64Value) or an int64 in proto JSON: the bare value. */
export function wrapped(
  body: Record<string, unknown>,
  key: string
): string | undefined {
  const value = body[key]
  if (typeof value === 'string' || typeof value === 'number')
    return String(value)
  return undefined
}

/** Fault headers: Retry-After when the fault names one. */
export function faultHeaders(fault: Fault): Record<string, string> {
  return fault.retryAfter === undefined
    ? {}
    : { 'retry-after': String(fault.retryAfter) }
}

function reply(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {}
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(JSON.stringify(body))
}

/** `service`'s twirp endpoint: a fault on the method first, else the method. */
export function twirpHandler(
  context: ResultsContext,
  service: string,
  methods: Record<string, TwirpMethod>
): ServiceHandler {
  const path = prefix(service)
  return async (req, res, url) => {
    if (!url.pathname.startsWith(path)) return false
    const method = url.pathname.slice(path.length)
    try {
      const handler = methods[method]
      if (req.method !== 'POST' || handler === undefined)
        throw new ServiceError(404, 'bad_route', `no method ${method}`)
      const scope = context.scopeOf(req)
      const body = JSON.parse(
        (await readBody(req)).toString() || '{}'
      ) as Record<string, unknown>
      const fault = await context.faultOn(method)
      if (fault?.status !== undefined) {
        const code = CODES[fault.status] ?? 'unknown'
        const msg = `injected ${method} fault`
        reply(res, fault.status, { code, msg }, faultHeaders(fault))
        return true
      }
      reply(res, 200, handler(scope, body))
    } catch (error) {
      if (error instanceof HangUp) throw error
      const e =
        error instanceof ServiceError
          ? error
          : new ServiceError(500, 'internal', String(error))
      reply(res, e.status, { code: e.code, msg: e.message }, e.headers)
    }
    return true
  }
}

/** How `requests` names a call of `service`: `POST <method>`. */
export function twirpRequestName(service: string) {
  const path = prefix(service)
  return (req: IncomingMessage, url: URL): string | undefined =>
    url.pathname.startsWith(path)
      ? `${req.method} ${url.pathname.slice(path.length)}`
      : undefined
}
