/**
 * A reverse proxy on 127.0.0.1 (random port) in front of a real registry,
 * which injects faults (status codes, connection resets, hangs) and counts
 * what goes through. Everything it does not fault is forwarded faithfully,
 * bodies streamed, so docker login / buildx push can go through it too
 * (dockerd treats 127.0.0.1 as an insecure, plain-http registry).
 */
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse
} from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { pipeline, Transform } from 'node:stream'
import {
  forwardable,
  readAll,
  sendError,
  splitHostPort,
  withoutHeaders
} from './proxy-http.js'
import { pageOfTags, tagsPageSize } from './tag-pages.js'

export interface FaultMatch {
  /** Upper-case HTTP method, e.g. 'PUT'. */
  method?: string
  /** Tested against the request path with query. */
  path?: RegExp
}

interface FaultBase {
  /** Applies to the first `times` matching requests; default: all of them. */
  times?: number
  /** Lets the first `after` matching requests through untouched; default 0. */
  after?: number
  match?: FaultMatch
}

export type Fault =
  | (FaultBase & {
      kind: 'status'
      status: number
      /** Sent as Retry-After (delay-seconds). */
      retryAfterSeconds?: number
      /** More response headers, e.g. a 401's WWW-Authenticate challenge. */
      headers?: Record<string, string>
    })
  | (FaultBase & { kind: 'reset' })
  | (FaultBase & { kind: 'hang' })
  /**
   * Forwards the request, but resets the connection once `afterBytes` bytes
   * of its body went through (a network drop in the middle of an upload).
   */
  | (FaultBase & { kind: 'reset-mid-body'; afterBytes: number })
  /**
   * Forwards the request, its body at `bytesPerSecond` (a slow uplink: a
   * blob upload that takes long, and docker prints nothing meanwhile).
   */
  | (FaultBase & { kind: 'slow-body'; bytesPerSecond: number })
  /**
   * The registry dies: this request is reset, every open connection is
   * dropped and the proxy stops listening (connections are refused after).
   */
  | (FaultBase & { kind: 'die' })
  /**
   * No fault: the test's hook runs first, then the request goes on unchanged (something that
   * happens between two requests of a run, such as a release tagging an image).
   */
  | (FaultBase & { kind: 'before'; run: () => Promise<void> })

type Outcome = number | 'reset' | 'hang' | 'pending' | 'error'

export interface ProxiedRequest {
  method: string
  path: string
  /** Status sent to the client, or what the proxy did instead. */
  outcome: Outcome
  /** True if the request reached the target. */
  forwarded: boolean
}

export interface FaultProxy {
  /** host:port to use as the registry name: "127.0.0.1:40123". */
  readonly host: string
  /** Every request seen, in arrival order (faulted ones included). */
  readonly requests: readonly ProxiedRequest[]
  /** Bytes of blob upload bodies (PATCH/PUT /v2/…/blobs/uploads/…) forwarded. */
  readonly blobUploadBytes: number
  /** True once a `die` fault fired: nothing listens any more. */
  readonly dead: boolean
  /** Replaces the faults (their counters start afresh). */
  setFaults(faults: Fault[]): void
  /** Clears the request log and the byte counter. */
  resetCounters(): void
  close(): Promise<void>
}

export interface FaultProxyOptions {
  /** host:port of the real registry, e.g. '127.0.0.1:5001'. */
  target: string
  faults?: Fault[]
  /**
   * Paginate GET …/tags/list?n= answers like distribution 3 / GHCR (the
   * stack's distribution 2.8 ignores n): see tag-pages.ts.
   */
  paginateTags?: boolean
}

const BLOB_UPLOAD = /^\/v2\/.+\/blobs\/uploads\//

/** A tag's PUT (not the upload's manifests by digest, nor the `build-*` staging tag). */
export const TAG_PUT: FaultMatch = {
  method: 'PUT',
  path: /\/manifests\/(?!build-|sha256:)[^/]+$/
}
/** The blob's closing PUT of an upload session (not the POST that opens it). */
export const BLOB_PUT: FaultMatch = {
  method: 'PUT',
  path: /\/blobs\/uploads\/./
}
/** An image's manifest PUT by digest (the upload; tags are PUT by name). */
export const DIGEST_PUT: FaultMatch = {
  method: 'PUT',
  path: /\/manifests\/sha256:/
}
interface ArmedFault {
  fault: Fault
  /** Matching requests still to let through before the fault applies. */
  skip: number
  remaining: number
}

function matches(fault: Fault, req: IncomingMessage): boolean {
  const { method, path } = fault.match ?? {}
  return (
    (method === undefined || req.method === method) &&
    (path === undefined || path.test(req.url ?? ''))
  )
}

/** Starts a proxy in front of `options.target`; close() ends it. */
export async function startFaultProxy(
  options: FaultProxyOptions
): Promise<FaultProxy> {
  const proxy = new FaultProxyServer(options)
  await proxy.listen()
  return proxy
}

class FaultProxyServer implements FaultProxy {
  host = ''
  requests: ProxiedRequest[] = []
  blobUploadBytes = 0
  dead = false
  private armed: ArmedFault[] = []
  private readonly target: [string, number]
  private readonly agent = new Agent({ keepAlive: true })
  private readonly hung = new Set<Socket>()
  private readonly server = createServer((req, res) => this.handle(req, res))

  constructor(private readonly options: FaultProxyOptions) {
    this.target = splitHostPort(options.target)
    this.setFaults(options.faults ?? [])
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(0, '127.0.0.1', () => resolve())
    })
    this.host = `127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  setFaults(faults: Fault[]): void {
    this.armed = faults.map(fault => ({
      fault,
      skip: fault.after ?? 0,
      remaining: fault.times ?? Number.POSITIVE_INFINITY
    }))
  }

  resetCounters(): void {
    this.requests = []
    this.blobUploadBytes = 0
  }

  close(): Promise<void> {
    return new Promise<void>(resolve => {
      this.server.close(() => resolve())
      for (const socket of this.hung) socket.destroy()
      this.server.closeAllConnections()
      this.agent.destroy()
    })
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const entry: ProxiedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      outcome: 'pending',
      forwarded: false
    }
    this.requests.push(entry)
    const armed = this.armed.find(a => a.remaining > 0 && matches(a.fault, req))
    if (armed === undefined) {
      this.forward(req, res, entry)
    } else if (armed.skip > 0) {
      armed.skip--
      this.forward(req, res, entry)
    } else if (armed.fault.kind === 'reset-mid-body') {
      // counted when it cuts: a body shorter than afterBytes goes through
      this.forward(req, res, entry, armed)
    } else if (armed.fault.kind === 'slow-body') {
      armed.remaining--
      this.forward(req, res, entry, armed)
    } else if (armed.fault.kind === 'before') {
      armed.remaining--
      req.pause()
      armed.fault.run().then(
        () => this.forward(req, res, entry),
        () => sendError(res, 500)
      )
    } else {
      armed.remaining--
      this.applyFault(armed.fault, req, res, entry)
    }
  }

  private applyFault(
    fault: Fault,
    req: IncomingMessage,
    res: ServerResponse,
    entry: ProxiedRequest
  ): void {
    if (fault.kind === 'status') {
      req.resume()
      entry.outcome = fault.status
      sendError(res, fault.status, fault.retryAfterSeconds, fault.headers)
    } else if (fault.kind === 'reset') {
      entry.outcome = 'reset'
      req.socket.resetAndDestroy()
    } else if (fault.kind === 'die') {
      entry.outcome = 'reset'
      req.socket.resetAndDestroy()
      this.die()
    } else {
      entry.outcome = 'hang'
      const socket = req.socket
      this.hung.add(socket)
      socket.once('close', () => this.hung.delete(socket))
    }
  }

  /** Stops listening and drops every connection, as a crashed registry. */
  private die(): void {
    this.dead = true
    this.server.close()
    for (const socket of this.hung) socket.destroy()
    this.server.closeAllConnections()
    this.agent.destroy()
  }

  /**
   * Forwards to the target; with a `reset-mid-body` fault, resets once its
   * bytes went; with a `slow-body` fault, holds each chunk of the body back.
   */
  private forward(
    req: IncomingMessage,
    res: ServerResponse,
    entry: ProxiedRequest,
    cut?: ArmedFault
  ): void {
    const cutAfter =
      cut?.fault.kind === 'reset-mid-body' ? cut.fault.afterBytes : undefined
    const rate =
      cut?.fault.kind === 'slow-body' ? cut.fault.bytesPerSecond : undefined
    entry.forwarded = true
    const [host, port] = this.target
    const upstream = httpRequest({
      host,
      port,
      method: req.method,
      path: req.url,
      headers: forwardable(req.rawHeaders),
      agent: this.agent
    })
    upstream.on('response', upstreamRes => {
      entry.outcome = upstreamRes.statusCode ?? 'error'
      this.respond(req, upstreamRes, res)
    })
    const isBlobUpload =
      (req.method === 'PATCH' || req.method === 'PUT') &&
      BLOB_UPLOAD.test(req.url ?? '')
    let sent = 0
    const counter = new Transform({
      transform: (chunk: Buffer, _encoding, done) => {
        if (
          cut !== undefined &&
          cutAfter !== undefined &&
          cut.remaining > 0 &&
          sent + chunk.length > cutAfter
        ) {
          cut.remaining--
          const head = chunk.subarray(0, cutAfter - sent)
          if (isBlobUpload) this.blobUploadBytes += head.length
          entry.outcome = 'reset'
          done(null, head)
          req.socket.resetAndDestroy()
          upstream.destroy()
          return
        }
        sent += chunk.length
        if (isBlobUpload) this.blobUploadBytes += chunk.length
        if (rate === undefined) done(null, chunk)
        else setTimeout(() => done(null, chunk), (chunk.length / rate) * 1000)
      }
    })
    pipeline(req, counter, upstream, error => {
      if (error === undefined || error === null) return
      if (entry.outcome === 'reset') return
      entry.outcome = 'error'
      if (res.headersSent) res.destroy()
      else res.writeHead(502, { 'Content-Length': 0 }).end()
    })
  }

  /** Streams the target's answer back, URLs to the target rewritten to us. */
  private respond(
    req: IncomingMessage,
    upstreamRes: IncomingMessage,
    res: ServerResponse
  ): void {
    const headers = forwardable(upstreamRes.rawHeaders, (name, value) =>
      name === 'location' || name === 'link'
        ? value.split(`//${this.options.target}/`).join(`//${this.host}/`)
        : value
    )
    const status = upstreamRes.statusCode ?? 502
    if (
      this.options.paginateTags === true &&
      status === 200 &&
      tagsPageSize(req.method, req.url) !== undefined
    ) {
      sendTagsPage(upstreamRes, res, headers, req.url ?? '')
      return
    }
    res.writeHead(status, upstreamRes.statusMessage, headers)
    pipeline(upstreamRes, res, () => undefined)
  }
}

function sendTagsPage(
  upstreamRes: IncomingMessage,
  res: ServerResponse,
  headers: string[],
  url: string
): void {
  readAll(upstreamRes).then(
    full => {
      const page = pageOfTags(full, url)
      const rest = withoutHeaders(headers, ['content-length', 'link'])
      const link = page.link === undefined ? [] : ['Link', page.link]
      res.writeHead(200, [
        ...rest,
        ...link,
        'Content-Length',
        String(page.body.length)
      ])
      res.end(page.body)
    },
    () => res.destroy()
  )
}
