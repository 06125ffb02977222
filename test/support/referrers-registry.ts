/**
 * A small OCI registry over real HTTP for the referrer tests: blobs
 * (upload, mount, read), manifests by tag and digest with an ETag, and,
 * when `api` is on, distribution-spec 1.1's referrers API (`OCI-Subject` on
 * a put with a subject, `GET /v2/<name>/referrers/<digest>`). With `api`
 * off it answers as distribution 2.8 does: 404 there, no `OCI-Subject`.
 * `ifMatch` honours If-Match on manifest puts (412 when the tag moved).
 * Uploads may come in PATCH chunks before the closing PUT, as cosign's
 * (go-containerregistry's) do; the tag list answers as distribution's, and
 * every answer with a body says its Content-Length (go-containerregistry
 * refuses a manifest without one).
 */
import { createHash, randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { startServer } from './http-server.js'

interface StoredManifest {
  contentType: string
  body: Buffer
}

interface Repository {
  blobs: Map<string, Buffer>
  manifests: Map<string, StoredManifest>
  tags: Map<string, string>
}

export interface ReferrersRegistry {
  host: string
  /** Each request as `METHOD path` and its status. */
  log: string[]
  repository(name: string): Repository
  /** Called before a manifest put is stored (a concurrent writer's chance). */
  beforePut?: (name: string, reference: string) => void
  close(): Promise<void>
}

const digestOf = (bytes: Buffer) =>
  `sha256:${createHash('sha256').update(bytes).digest('hex')}`

const ROUTE =
  /^\/v2\/(.+)\/(manifests|blobs\/uploads|blobs|referrers|tags)\/([^/?]*)(\?.*)?$/

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

function parseJson(body: Buffer): {
  mediaType?: string
  artifactType?: string
  config?: { mediaType: string }
  subject?: { digest: string }
  annotations?: Record<string, string>
} {
  try {
    return JSON.parse(body.toString('utf8')) as ReturnType<typeof parseJson>
  } catch {
    return {}
  }
}

export async function startReferrersRegistry(options: {
  api: boolean
  ifMatch?: boolean
}): Promise<ReferrersRegistry> {
  const repositories = new Map<string, Repository>()
  /** Open uploads: the chunks PATCHed so far. */
  const uploads = new Map<string, Buffer[]>()
  const registry: ReferrersRegistry = {
    host: '',
    log: [],
    repository(name) {
      let repo = repositories.get(name)
      if (repo === undefined) {
        repo = { blobs: new Map(), manifests: new Map(), tags: new Map() }
        repositories.set(name, repo)
      }
      return repo
    },
    close: () => Promise.resolve()
  }

  const referrersOf = (repo: Repository, subject: string) =>
    [...repo.manifests].flatMap(([digest, stored]) => {
      const json = parseJson(stored.body)
      if (json.subject?.digest !== subject) return []
      const artifactType = json.artifactType ?? json.config?.mediaType
      return [
        {
          mediaType: stored.contentType,
          digest,
          size: stored.body.length,
          ...(artifactType && { artifactType }),
          ...(json.annotations && { annotations: json.annotations })
        }
      ]
    })

  const manifests = async (
    req: IncomingMessage,
    res: ServerResponse,
    repo: Repository,
    name: string,
    reference: string
  ) => {
    const digest = reference.startsWith('sha256:')
      ? reference
      : repo.tags.get(reference)
    if (req.method === 'PUT') {
      const body = await bodyOf(req)
      registry.beforePut?.(name, reference)
      const held = repo.tags.get(reference)
      const condition = req.headers['if-match']
      if (
        options.ifMatch &&
        condition !== undefined &&
        condition !== `"${held}"`
      )
        return res.writeHead(412).end()
      const put = digestOf(body)
      const contentType = req.headers['content-type'] ?? ''
      repo.manifests.set(put, { contentType, body })
      if (!reference.startsWith('sha256:')) repo.tags.set(reference, put)
      const subject = parseJson(body).subject?.digest
      res.writeHead(201, {
        'Docker-Content-Digest': put,
        ...(options.api && subject !== undefined && { 'OCI-Subject': subject })
      })
      return res.end()
    }
    const stored = digest === undefined ? undefined : repo.manifests.get(digest)
    if (stored === undefined || digest === undefined)
      return res.writeHead(404).end()
    res.writeHead(200, {
      'Content-Type': stored.contentType,
      'Content-Length': stored.body.length,
      'Docker-Content-Digest': digest,
      ETag: `"${digest}"`
    })
    return res.end(req.method === 'HEAD' ? undefined : stored.body)
  }

  const blobs = async (
    req: IncomingMessage,
    res: ServerResponse,
    repo: Repository,
    name: string,
    reference: string,
    query: URLSearchParams
  ) => {
    if (req.method === 'POST') {
      const mount = query.get('mount')
      const from = query.get('from')
      const found =
        mount && from ? repositories.get(from)?.blobs.get(mount) : undefined
      if (mount && found) {
        repo.blobs.set(mount, found)
        return res.writeHead(201).end()
      }
      const id = randomUUID()
      uploads.set(id, [])
      return res
        .writeHead(202, { Location: `/v2/${name}/blobs/uploads/${id}` })
        .end()
    }
    if (req.method === 'PATCH') {
      const chunks = uploads.get(reference) ?? []
      chunks.push(await bodyOf(req))
      uploads.set(reference, chunks)
      const size = Buffer.concat(chunks).length
      return res
        .writeHead(202, {
          Location: `/v2/${name}/blobs/uploads/${reference}`,
          Range: `0-${Math.max(size - 1, 0)}`
        })
        .end()
    }
    if (req.method === 'PUT') {
      const chunks = uploads.get(reference) ?? []
      uploads.delete(reference)
      const body = Buffer.concat([...chunks, await bodyOf(req)])
      if (digestOf(body) !== query.get('digest'))
        return res.writeHead(400).end()
      repo.blobs.set(digestOf(body), body)
      return res.writeHead(201).end()
    }
    const blob = repo.blobs.get(reference)
    if (blob === undefined) return res.writeHead(404).end()
    res.writeHead(200, { 'Content-Length': blob.length })
    return res.end(req.method === 'HEAD' ? undefined : blob)
  }

  const server = await startServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    res.on('finish', () =>
      registry.log.push(`${req.method} ${url.pathname} ${res.statusCode}`)
    )
    if (url.pathname === '/v2/') return void res.writeHead(200).end()
    const match = ROUTE.exec(url.pathname)
    if (match === null) return void res.writeHead(404).end()
    const [, name, kind, reference] = match
    const repo = registry.repository(name)
    if (kind === 'manifests')
      return void manifests(req, res, repo, name, reference)
    if (kind === 'tags') {
      res.writeHead(200, { 'Content-Type': 'application/json' })
      return void res.end(JSON.stringify({ name, tags: [...repo.tags.keys()] }))
    }
    if (kind === 'referrers') {
      if (!options.api) return void res.writeHead(404).end()
      const body = JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: referrersOf(repo, reference)
      })
      res.writeHead(200, {
        'Content-Type': 'application/vnd.oci.image.index.v1+json',
        'Content-Length': Buffer.byteLength(body)
      })
      return void res.end(body)
    }
    return void blobs(req, res, repo, name, reference, url.searchParams)
  })
  registry.host = server.host
  registry.close = () => server.close()
  return registry
}
