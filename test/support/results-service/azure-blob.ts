/**
 * The blob storage behind the results services' signed URLs, answering as
 * Azure Blob Storage answers the Azure SDKs the clients use (@azure/storage-blob
 * in the toolkit, azblob in go-actions-cache; the REST reference of each call):
 * - Put Blob (`PUT`, `x-ms-blob-type: BlockBlob`), Put Block (`comp=block&blockid=`),
 *   Put Block List (`comp=blocklist`, an XML list of block ids; one not staged
 *   is 400 InvalidBlockList), each 201;
 * - Get Blob, whole (200) or from `x-ms-range` / `Range` (206 with Content-Range,
 *   as azblob's DownloadStream asks `bytes=<offset>-`; past the end 416
 *   InvalidRange), and Get Blob Properties (HEAD), with a stable ETag (azblob's
 *   retry reader resumes with If-Match on it); a blob never put is 404 BlobNotFound;
 * - the SAS of the URL: a signature over the blob, its permissions (`sp`: r
 *   read, c create, w write) and expiry (`se`); a bad or expired one is 403
 *   AuthenticationFailed, a missing permission 403 AuthorizationPermissionMismatch;
 * - errors carry `x-ms-error-code` and Azure's XML body.
 * The account is the URL's first path segment (devstoreaccount1), as the SDKs
 * read a URL whose host is an IP address (Azurite's form).
 */
import { createHash, randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { faultHeaders } from './twirp.js'
import {
  readBody,
  type Fault,
  type Mount,
  type ResultsContext,
  type ServiceHandler
} from './server.js'

/** A blob a service made, to hand out a signed URL for. */
export interface StoredBlob {
  content: Buffer
  contentType: string
  /** When a Put Blob or Put Block List last put it; never put: Get Blob answers 404. */
  committedAt?: Date
}

export interface BlobContainer {
  /** Its path under the origin: /devstoreaccount1/<container>/ */
  path: string
  /** How requests and faults name its blobs: `blob`, `cache blob`. */
  label: string
  /** The blob `name` (the URL's path after the container) stands for. */
  find(name: string): StoredBlob | undefined
}

/** Azure's error code for the statuses a fault answers (Blob service error codes). */
const FAULT_CODES: Record<number, string> = {
  403: 'AuthenticationFailed',
  404: 'BlobNotFound',
  409: 'BlobAlreadyExists',
  412: 'ConditionNotMet',
  503: 'ServerBusy'
}

/** SAS permissions: r read, c create, w write. */
type Permissions = 'r' | 'cw' | 'rcw'

const signed = (path: string, sp: string, se: string) => `${path}\n${sp}\n${se}`

/** A signed URL of blob `name` in `container`, with `permissions`, valid for an hour. */
export function signedBlobUrl(
  context: ResultsContext,
  container: BlobContainer,
  name: string,
  permissions: Permissions
): string {
  const path = `${container.path}${name}`
  const se = new Date(Date.now() + 3600_000).toISOString()
  const query = new URLSearchParams({
    sv: '2023-11-03',
    sr: 'b',
    se,
    sp: permissions,
    sig: context.sign(signed(path, permissions, se))
  })
  return `${context.origin()}${path}?${query.toString()}`
}

function azureHeaders(): Record<string, string> {
  return {
    'x-ms-request-id': randomUUID(),
    'x-ms-version': '2023-11-03',
    date: new Date().toUTCString()
  }
}

function azureError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {}
): void {
  const xml = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`
  res.writeHead(status, {
    ...azureHeaders(),
    ...headers,
    'x-ms-error-code': code,
    'content-type': 'application/xml'
  })
  res.end(xml)
}

/** The SAS's refusal of `method` on `path`, if any: [status, code]. */
function sasRefusal(
  context: ResultsContext,
  path: string,
  method: string,
  query: URLSearchParams
): [number, string] | undefined {
  const sp = query.get('sp') ?? ''
  const se = query.get('se') ?? ''
  if (
    query.get('sig') !== context.sign(signed(path, sp, se)) ||
    !(Date.parse(se) > Date.now())
  )
    return [403, 'AuthenticationFailed']
  const needed = method === 'PUT' ? 'w' : 'r'
  if (!sp.includes(needed)) return [403, 'AuthorizationPermissionMismatch']
  return undefined
}

/** A `bytes=<start>-[<end>]` range of a blob of `size` bytes: [start, end], 'invalid', or none. */
function byteRange(
  header: string | string[] | undefined,
  size: number
): [number, number] | 'invalid' | undefined {
  const match = /^bytes=(\d+)-(\d*)$/.exec(String(header ?? ''))
  if (match === null) return undefined
  const start = Number(match[1])
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1)
  return start >= size || end < start ? 'invalid' : [start, end]
}

function properties(blob: StoredBlob): Record<string, string> {
  const hash = createHash('sha256').update(blob.content).digest('hex')
  return {
    ...azureHeaders(),
    etag: `"0x${hash.slice(0, 16).toUpperCase()}"`,
    'last-modified': (blob.committedAt ?? new Date()).toUTCString(),
    'x-ms-blob-type': 'BlockBlob',
    'accept-ranges': 'bytes',
    'content-type': blob.contentType || 'application/octet-stream'
  }
}

/** Sends `bytes`, trickled when the fault says so (stopping when the client goes away). */
async function send(
  res: ServerResponse,
  bytes: Buffer,
  trickle: Fault['trickle']
): Promise<void> {
  if (trickle === undefined) {
    res.end(bytes)
    return
  }
  for (let at = 0; at < bytes.length && !res.destroyed; at += trickle.bytes) {
    res.write(bytes.subarray(at, at + trickle.bytes))
    await new Promise(resolve => setTimeout(resolve, trickle.everyMs))
  }
  res.end()
}

/** Get Blob and Get Blob Properties. */
async function readBlob(
  req: IncomingMessage,
  res: ServerResponse,
  blob: StoredBlob,
  fault: Fault | undefined
): Promise<void> {
  if (blob.committedAt === undefined)
    return azureError(
      res,
      404,
      'BlobNotFound',
      'The specified blob does not exist.'
    )
  const size = blob.content.length
  const range = byteRange(req.headers['x-ms-range'] ?? req.headers.range, size)
  if (range === 'invalid')
    return azureError(
      res,
      416,
      'InvalidRange',
      'The range specified is invalid for the current size of the resource.'
    )
  const [start, end] = range ?? [0, size - 1]
  const bytes = blob.content.subarray(start, end + 1)
  res.writeHead(range === undefined ? 200 : 206, {
    ...properties(blob),
    'content-length': String(bytes.length),
    ...(range && { 'content-range': `bytes ${start}-${end}/${size}` })
  })
  if (req.method === 'HEAD') res.end()
  else await send(res, bytes, fault?.trickle)
}

/** Put Blob, Put Block and Put Block List; `staged` holds the blob's uncommitted blocks. */
function writeBlob(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  blob: StoredBlob,
  body: Buffer,
  staged: Map<string, Buffer>
): void {
  const comp = url.searchParams.get('comp')
  const contentType = req.headers['x-ms-blob-content-type']
  if (comp === 'block') {
    staged.set(url.searchParams.get('blockid') ?? '', body)
  } else if (comp === 'blocklist') {
    const ids = [
      ...body
        .toString()
        .matchAll(/<(?:Latest|Uncommitted)>([^<]*)<\/(?:Latest|Uncommitted)>/g)
    ].map(([, id]) => id)
    if (ids.some(id => !staged.has(id)))
      return azureError(
        res,
        400,
        'InvalidBlockList',
        'The specified block list is invalid.'
      )
    blob.content = Buffer.concat(
      ids.map(id => staged.get(id) ?? Buffer.alloc(0))
    )
    blob.contentType = String(contentType ?? '')
    blob.committedAt = new Date()
    staged.clear()
  } else if (comp === null && req.headers['x-ms-blob-type'] === 'BlockBlob') {
    blob.content = body
    blob.contentType = String(contentType ?? req.headers['content-type'] ?? '')
    blob.committedAt = new Date()
  } else {
    return azureError(
      res,
      400,
      'InvalidHeaderValue',
      'x-ms-blob-type: BlockBlob is required.'
    )
  }
  res.writeHead(201, {
    ...azureHeaders(),
    etag: properties(blob).etag,
    'last-modified': new Date().toUTCString(),
    'x-ms-request-server-encrypted': 'true'
  })
  res.end()
}

function blobHandler(
  context: ResultsContext,
  container: BlobContainer
): ServiceHandler {
  const blocks = new Map<string, Map<string, Buffer>>()
  return async (req, res, url) => {
    if (!url.pathname.startsWith(container.path)) return false
    const name = url.pathname.slice(container.path.length)
    const body = await readBody(req)
    const method = req.method ?? ''
    const fault = await context.faultOn(`${container.label} ${method}`)
    if (fault?.status !== undefined) {
      const code = FAULT_CODES[fault.status] ?? 'InternalError'
      azureError(
        res,
        fault.status,
        code,
        'Injected fault.',
        faultHeaders(fault)
      )
      return true
    }
    const blob = container.find(name)
    const refusal = sasRefusal(context, url.pathname, method, url.searchParams)
    if (refusal !== undefined || blob === undefined) {
      const [status, code] = refusal ?? [404, 'BlobNotFound']
      azureError(res, status, code, `${code} for ${container.label} ${name}.`)
    } else if (method === 'GET' || method === 'HEAD') {
      await readBlob(req, res, blob, fault)
    } else if (method === 'PUT') {
      const staged = blocks.get(name) ?? new Map<string, Buffer>()
      blocks.set(name, staged)
      writeBlob(req, res, url, blob, body, staged)
    } else {
      azureError(res, 405, 'UnsupportedHttpVerb', `${method} is not supported.`)
    }
    return true
  }
}

/** The container's blob endpoint, mounted beside a service's twirp API. */
export function blobMount(
  context: ResultsContext,
  container: BlobContainer
): Mount {
  return {
    handlers: [blobHandler(context, container)],
    requestName(req, url) {
      if (!url.pathname.startsWith(container.path)) return undefined
      const comp = url.searchParams.get('comp')
      return `${req.method} ${container.label}${comp === null ? '' : ` comp=${comp}`}`
    }
  }
}
