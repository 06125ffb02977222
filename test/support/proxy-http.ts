/** Header and response helpers of the fault proxy. */
import type { IncomingMessage, ServerResponse } from 'node:http'

/** Not forwarded: hop-by-hop, and Expect (node already answered 100). */
const HOP_BY_HOP = new Set([
  'connection',
  'expect',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade'
])

const ERROR_CODES: Record<number, string> = {
  429: 'TOOMANYREQUESTS',
  503: 'UNAVAILABLE'
}

/** Raw headers without hop-by-hop ones; values passed through `rewrite`. */
export function forwardable(
  raw: string[],
  rewrite: (name: string, value: string) => string = (_, v) => v
): string[] {
  const out: string[] = []
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]
    if (!HOP_BY_HOP.has(name.toLowerCase())) {
      out.push(name, rewrite(name.toLowerCase(), raw[i + 1]))
    }
  }
  return out
}

/** Raw headers with `names` (lower-case) removed. */
export function withoutHeaders(raw: string[], names: string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < raw.length; i += 2) {
    if (!names.includes(raw[i].toLowerCase())) out.push(raw[i], raw[i + 1])
  }
  return out
}

/** Answers with a registry-style error body, as distribution would. */
export function sendError(
  res: ServerResponse,
  status: number,
  retryAfterSeconds?: number,
  headers: Record<string, string> = {}
): void {
  const body = JSON.stringify({
    errors: [
      {
        code: ERROR_CODES[status] ?? 'UNKNOWN',
        message: `injected by the fault proxy (${status})`
      }
    ]
  })
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    ...(retryAfterSeconds === undefined
      ? {}
      : { 'Retry-After': String(retryAfterSeconds) }),
    ...headers
  })
  res.end(body)
}

export async function readAll(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

export function splitHostPort(target: string): [string, number] {
  const match = /^(.+):(\d+)$/.exec(target)
  if (match === null) throw new Error(`target must be host:port, got ${target}`)
  return [match[1].replace(/^\[(.*)\]$/, '$1'), Number(match[2])]
}
