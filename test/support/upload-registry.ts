/**
 * A small in-memory registry over real HTTP for the blob upload tests: blob
 * HEAD, upload sessions (POST, mount, PATCH with Content-Range, PUT
 * ?digest=, GET status with Range) and manifest PUTs, as distribution
 * answers them. `fault` may break any request: a status, a reset (after
 * some of the body was taken and kept, as a registry that wrote it), a hang.
 */
import { createHash, randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { startServer, type TestServer } from './http-server.js'

export type UploadFault =
  | { kind: 'status'; status: number; retryAfter?: number; code?: string }
  | { kind: 'reset'; afterBytes: number }
  | { kind: 'hang' }
  /** Drops the session, then answers 404 BLOB_UPLOAD_UNKNOWN. */
  | { kind: 'forget' }

export interface UploadRegistry {
  host: string
  /** Each request as `METHOD path` (query left out, sessions as <id>), and the outcome. */
  log: string[]
  /** PATCH Content-Range headers, in order. */
  ranges: string[]
  blobs(repository: string): Map<string, Buffer>
  manifests: Map<string, { contentType: string; body: Buffer }>
  /** Asked for each request: the fault to apply, if any. */
  fault: (method: string, path: string) => UploadFault | undefined
  /** Where a Location points: default the registry itself. */
  locationOrigin?: string
  close(): Promise<void>
}

const digestOf = (bytes: Buffer) =>
  `sha256:${createHash('sha256').update(bytes).digest('hex')}`

export async function startUploadRegistry(): Promise<UploadRegistry> {
  const repositories = new Map<string, Map<string, Buffer>>()
  const sessions = new Map<string, { repository: string; data: Buffer }>()
  const registry: UploadRegistry = {
    host: '',
    log: [],
    ranges: [],
    manifests: new Map(),
    fault: () => undefined,
    blobs(repository) {
      let blobs = repositories.get(repository)
      if (blobs === undefined) {
        blobs = new Map()
        repositories.set(repository, blobs)
      }
      return blobs
    },
    close: () => Promise.resolve()
  }

  const location = (repository: string, id: string) =>
    `${registry.locationOrigin ?? ''}/v2/${repository}/blobs/uploads/${id}?_state=x`

  const answer = (
    res: ServerResponse,
    status: number,
    headers: Record<string, string> = {},
    code?: string
  ) => {
    const body = code ? JSON.stringify({ errors: [{ code }] }) : ''
    res.writeHead(status, { 'Content-Length': body.length, ...headers })
    res.end(body)
  }

  const handle = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const method = req.method ?? ''
    const blob = /^\/v2\/(.+)\/blobs\/(sha256:[a-f0-9]{64})$/.exec(url.pathname)
    const uploads = /^\/v2\/(.+)\/blobs\/uploads\/([^/]*)$/.exec(url.pathname)
    const manifest = /^\/v2\/(.+)\/manifests\/(.+)$/.exec(url.pathname)
    if (blob && method === 'HEAD')
      return answer(res, registry.blobs(blob[1]).has(blob[2]) ? 200 : 404)
    if (manifest && method === 'PUT') {
      registry.manifests.set(manifest[2], {
        contentType: req.headers['content-type'] ?? '',
        body
      })
      return answer(res, 201, { 'Docker-Content-Digest': digestOf(body) })
    }
    if (!uploads) return answer(res, 404)
    const [, repository, id] = uploads
    if (method === 'POST') {
      const mount = url.searchParams.get('mount')
      const from = url.searchParams.get('from')
      const source = from === null ? undefined : repositories.get(from)
      if (mount !== null && source?.has(mount)) {
        registry.blobs(repository).set(mount, source.get(mount) as Buffer)
        return answer(res, 201)
      }
      const session = randomUUID()
      sessions.set(session, { repository, data: Buffer.alloc(0) })
      return answer(res, 202, { Location: location(repository, session) })
    }
    const session = sessions.get(id)
    if (session === undefined)
      return answer(res, 404, {}, 'BLOB_UPLOAD_UNKNOWN')
    const range = () => ({
      Location: location(repository, id),
      // as distribution 2.8: 0-0 for no byte yet (and for one)
      Range: `0-${Math.max(0, session.data.length - 1)}`
    })
    if (method === 'GET') return answer(res, 204, range())
    if (method === 'PATCH') {
      const contentRange = req.headers['content-range'] ?? ''
      registry.ranges.push(contentRange)
      const start = Number(contentRange.split('-')[0])
      if (start !== session.data.length) return answer(res, 416, range())
      session.data = Buffer.concat([session.data, body])
      return answer(res, 202, range())
    }
    if (method === 'PUT') {
      const data = Buffer.concat([session.data, body])
      const digest = url.searchParams.get('digest')
      sessions.delete(id)
      if (digest !== digestOf(data))
        return answer(res, 400, {}, 'DIGEST_INVALID')
      registry.blobs(repository).set(digest, data)
      return answer(res, 201, { 'Docker-Content-Digest': digest })
    }
    return answer(res, 405)
  }

  const server: TestServer = await startServer((req, res) => {
    const path = (req.url ?? '').replace(/\?.*$/, '')
    const fault = registry.fault(req.method ?? '', path)
    const entry = `${req.method} ${path.replace(/uploads\/[^/]+$/, 'uploads/<id>')}`
    const chunks: Buffer[] = []
    let taken = 0
    const id = /\/blobs\/uploads\/([^/]+)$/.exec(path)?.[1]
    req.on('data', (chunk: Buffer) => {
      if (fault?.kind === 'reset' && taken + chunk.length > fault.afterBytes) {
        // what arrived before the drop is written, as a registry does
        const head = chunk.subarray(0, fault.afterBytes - taken)
        const session = id === undefined ? undefined : sessions.get(id)
        if (session)
          session.data = Buffer.concat([session.data, ...chunks, head])
        registry.log.push(`${entry} reset`)
        req.socket.resetAndDestroy()
        return
      }
      taken += chunk.length
      chunks.push(chunk)
    })
    req.on('end', () => {
      if (fault?.kind === 'hang') return registry.log.push(`${entry} hang`)
      if (fault?.kind === 'status') {
        registry.log.push(`${entry} ${fault.status}`)
        const headers: Record<string, string> =
          fault.retryAfter === undefined
            ? {}
            : { 'Retry-After': String(fault.retryAfter) }
        return answer(res, fault.status, headers, fault.code)
      }
      if (fault?.kind === 'forget' && id !== undefined) sessions.delete(id)
      const before = res.statusCode
      handle(req, res, Buffer.concat(chunks))
      registry.log.push(`${entry} ${res.statusCode ?? before}`)
    })
  })
  registry.host = server.host
  registry.close = () => server.close()
  return registry
}
