/**
 * Local stand-ins of what keyless signing talks to, on one real HTTP server
 * the bundled action reaches over the network:
 * - GitHub's OIDC token issuer: ACTIONS_ID_TOKEN_REQUEST_URL answers a JWT
 *   (ES256, GitHub's claims for acme/webapp's release workflow, among them
 *   every claim @actions/attest's provenance reads: its oidc.ts REQUIRED_CLAIMS)
 *   to a request with the request token as bearer; its OpenID configuration at
 *   /.well-known/openid-configuration (what @actions/attest reads for the
 *   keys, the issuer's discovery document) and its keys at /.well-known/jwks;
 * - Fulcio (@sigstore/mock's CA and CT log), behind a check that the token
 *   is one this issuer signed for audience sigstore and that the proof of
 *   possession verifies with the key to certify; it certifies the workflow
 *   as real Fulcio does (SAN https://github.com/ + job_workflow_ref), with
 *   the SCT of the CT log the trust files name (or, `sct`, with none, or
 *   with one from a log they do not name);
 * - Rekor (@sigstore/mock's log): a signed entry timestamp per entry, a
 *   DSSE entry (cosign 3's) stored as Rekor stores it, its UUID in ETag.
 * cosign 3 signs through them too: Fulcio takes the token as bearer and
 * answers 200, as public Fulcio does.
 * The trust files they write are what the real cosign is given.
 */
import { fulcioHandler, initializeCA, initializeCTLog } from '@sigstore/mock'
import { initializeTLog, rekorHandler } from '@sigstore/mock'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import {
  createHash,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  verify,
  type KeyObject
} from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com'
/** The workflow the stand-in's tokens name, as GitHub's job_workflow_ref does. */
const WORKFLOW_REF =
  'acme/webapp/.github/workflows/release.yml@refs/tags/v1.2.3'
export const WORKFLOW_IDENTITY = `https://github.com/${WORKFLOW_REF}`

export interface Standins {
  fulcioUrl: string
  rekorUrl: string
  /** The token issuer's stand-in: its discovery document and keys under /.well-known/. */
  issuerUrl: string
  /** The runner's ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN. */
  tokenEnv: Record<string, string>
  /** SIGSTORE_* files: Fulcio's root, Rekor's and the CT log's public keys. */
  trustEnv: Record<string, string>
  /** The same trust as a Sigstore trusted_root.json (cosign's --trusted-root). */
  trustedRootFile: string
  /** The tokens handed out so far (none may show in a log). */
  tokens: string[]
  close(): Promise<void>
}

const ecKeys = () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
const b64url = (value: object) =>
  Buffer.from(JSON.stringify(value)).toString('base64url')

function jwt(claims: object, key: KeyObject, kid: string): string {
  const head = `${b64url({ alg: 'ES256', typ: 'JWT', kid })}.${b64url(claims)}`
  const signature = sign('sha256', Buffer.from(head), {
    key,
    dsaEncoding: 'ieee-p1363'
  })
  return `${head}.${signature.toString('base64url')}`
}

/** The claims of a token this issuer signed, or an error saying why not. */
function checkedClaims(token: string, key: KeyObject): Record<string, string> {
  const [head, body, signature] = token.split('.')
  const valid = verify(
    'sha256',
    Buffer.from(`${head}.${body}`),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature ?? '', 'base64url')
  )
  if (!valid) throw new Error('the token is not signed by the issuer')
  const claims = JSON.parse(
    Buffer.from(body, 'base64url').toString()
  ) as Record<string, string> & { exp: number }
  if (claims.aud !== 'sigstore') throw new Error('audience is not sigstore')
  if (claims.exp * 1000 < Date.now()) throw new Error('the token expired')
  return claims
}

/** A request's body as text. */
export function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => resolve(Buffer.concat(chunks).toString()))
    request.on('error', reject)
  })
}

const bytes = (view: ArrayBufferView) =>
  Buffer.from(view.buffer, view.byteOffset, view.byteLength)
const pem = (type: string, der: ArrayBufferView) =>
  `-----BEGIN ${type}-----\n${bytes(der).toString('base64')}\n-----END ${type}-----\n`

/** A key as trusted_root.json lists a log's: DER SPKI, and its SHA-256 as log id. */
function logKey(url: string, keys: { publicKey: KeyObject }) {
  const der = keys.publicKey.export({ format: 'der', type: 'spki' })
  return {
    baseUrl: url,
    hashAlgorithm: 'SHA2_256',
    publicKey: {
      rawBytes: der.toString('base64'),
      keyDetails: 'PKIX_ECDSA_P256_SHA_256',
      validFor: { start: '1970-01-01T00:00:00Z' }
    },
    logId: { keyId: createHash('sha256').update(der).digest('base64') }
  }
}

function trustedRoot(
  origin: string,
  rootCertificate: Buffer,
  rekorKeys: { publicKey: KeyObject },
  ctKeys: { publicKey: KeyObject }
): string {
  return JSON.stringify({
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [logKey(`${origin}/rekor`, rekorKeys)],
    certificateAuthorities: [
      {
        subject: { organization: 'sigstore.mock', commonName: 'sigstore' },
        uri: `${origin}/fulcio`,
        certChain: {
          certificates: [{ rawBytes: rootCertificate.toString('base64') }]
        },
        validFor: { start: '1970-01-01T00:00:00Z' }
      }
    ],
    ctlogs: [logKey(`${origin}/ct`, ctKeys)],
    timestampAuthorities: []
  })
}

/**
 * Rekor names a new entry by its UUID in ETag and Location (Rekor's API; cosign 3's client reads
 * the entry under ETag, observed with 3.1.1), which @sigstore/mock's handler leaves out.
 */
function entryHeaders(response: unknown): Record<string, string> {
  if (typeof response !== 'string') return {}
  const [uuid] = Object.keys(JSON.parse(response) as object)
  return uuid === undefined
    ? {}
    : { ETag: uuid, Location: `/api/v1/log/entries/${uuid}` }
}

/**
 * Rekor's dsse 0.0.1 entry as Rekor stores it (its pkg/types/dsse/v0.0.1): the proposed envelope
 * replaced by its hash, its payload's hash and its signatures with their verifiers, which
 * @sigstore/verify compares with the bundle; @sigstore/mock's log keeps what it is given.
 */
function storedEntry(body: string): string {
  const entry = JSON.parse(body) as {
    apiVersion: string
    kind: string
    spec?: { proposedContent?: { envelope: string; verifiers: string[] } }
  }
  const proposed =
    entry.kind === 'dsse' ? entry.spec?.proposedContent : undefined
  if (proposed === undefined) return body
  const envelope = JSON.parse(proposed.envelope) as {
    payload: string
    signatures: { sig: string }[]
  }
  const sha256 = (bytes: Buffer) => ({
    algorithm: 'sha256',
    value: createHash('sha256').update(bytes).digest('hex')
  })
  return JSON.stringify({
    apiVersion: entry.apiVersion,
    kind: 'dsse',
    spec: {
      envelopeHash: sha256(Buffer.from(proposed.envelope)),
      payloadHash: sha256(Buffer.from(envelope.payload, 'base64')),
      signatures: envelope.signatures.map(({ sig }, i) => ({
        signature: sig,
        verifier: proposed.verifiers[i] ?? proposed.verifiers[0]
      }))
    }
  })
}

/** The certificates' SCT: from the trusted CT log, none, or from a log the trust does not name. */
export type SctKind = 'trusted' | 'none' | 'unknown-log'

/**
 * `jobWorkflowRef`: the workflow whose job the tokens are for, where it is not the run's own (a
 * reusable workflow's job: GitHub's job_workflow_ref names it, workflow_ref the caller's).
 */
export async function startStandins(
  sct: SctKind = 'trusted',
  jobWorkflowRef = WORKFLOW_REF
): Promise<Standins> {
  const issuerKeys = ecKeys()
  const kid = randomBytes(8).toString('hex')
  const requestToken = randomBytes(16).toString('hex')
  const ctKeys = ecKeys()
  const caKeys = ecKeys()
  const rekorKeys = ecKeys()
  const ca = await initializeCA(
    caKeys,
    sct === 'none'
      ? undefined
      : await initializeCTLog(sct === 'trusted' ? ctKeys : ecKeys())
  )
  // the certificate's SAN from a claim the stand-in adds after its checks
  const fulcio = fulcioHandler(ca, { subjectClaim: 'fulcio_san' })
  const tokens: string[] = []
  let server: Server | undefined
  const origin = await new Promise<string>(resolve => {
    server = createServer((request, response) => {
      void route(request).then(({ status, body, headers }) => {
        response.writeHead(status, {
          'Content-Type': 'application/json',
          ...headers
        })
        response.end(body)
      })
    })
    server.listen(0, '127.0.0.1', () => {
      const address = server?.address()
      resolve(
        `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`
      )
    })
  })
  const rekor = rekorHandler(await initializeTLog(`${origin}/rekor`, rekorKeys))

  function issue(audience: string): string {
    const now = Math.floor(Date.now() / 1000)
    const token = jwt(
      {
        iss: GITHUB_ISSUER,
        aud: audience,
        sub: 'repo:acme/webapp:ref:refs/tags/v1.2.3',
        iat: now,
        nbf: now,
        exp: now + 300,
        repository: 'acme/webapp',
        repository_id: '700123',
        repository_owner: 'acme',
        repository_owner_id: '900456',
        run_id: '8123',
        run_attempt: '1',
        ref: 'refs/tags/v1.2.3',
        sha: '2899da65e50d9829084d7e6000ae25569157e24d',
        event_name: 'push',
        workflow: 'release',
        workflow_ref: WORKFLOW_REF,
        job_workflow_ref: jobWorkflowRef,
        runner_environment: 'github-hosted'
      },
      issuerKeys.privateKey,
      kid
    )
    tokens.push(token)
    return token
  }

  /**
   * Fulcio's v2 signingCert takes the token in `credentials` or as the
   * bearer of Authorization (Fulcio's API; cosign 3's client sends the latter).
   */
  async function certify(body: string, authorization = '') {
    const request = JSON.parse(body) as {
      credentials?: { oidcIdentityToken: string }
      publicKeyRequest: {
        publicKey: { content: string }
        proofOfPossession: string
      }
    }
    const bearer = /^bearer (.+)$/i.exec(authorization)?.[1] ?? ''
    const claims = checkedClaims(
      request.credentials?.oidcIdentityToken ?? bearer,
      issuerKeys.publicKey
    )
    const { content } = request.publicKeyRequest.publicKey
    const proven = verify(
      'sha256',
      Buffer.from(claims.sub),
      createPublicKey(content),
      Buffer.from(request.publicKeyRequest.proofOfPossession, 'base64')
    )
    if (!proven) throw new Error('the proof of possession does not verify')
    const named = `${b64url({ alg: 'none' })}.${b64url({
      ...claims,
      fulcio_san: `https://github.com/${claims.job_workflow_ref}`
    })}.`
    return fulcio.fn(
      JSON.stringify({
        ...request,
        credentials: { oidcIdentityToken: named }
      })
    )
  }

  async function route(request: IncomingMessage): Promise<{
    status: number
    body: string | Uint8Array
    headers?: Record<string, string>
  }> {
    const url = new URL(request.url ?? '/', origin)
    const body = await readBody(request)
    try {
      if (request.method === 'GET' && url.pathname === '/token') {
        // an auth scheme is case-insensitive (RFC 9110 11.1): @actions/core sends Bearer
        const bearer = /^bearer (.+)$/i.exec(
          request.headers.authorization ?? ''
        )
        if (bearer?.[1] !== requestToken)
          return { status: 401, body: '{"message":"bad request token"}' }
        const audience = url.searchParams.get('audience') ?? ''
        return { status: 200, body: JSON.stringify({ value: issue(audience) }) }
      }
      if (url.pathname === '/.well-known/openid-configuration')
        return {
          status: 200,
          body: JSON.stringify({
            issuer: GITHUB_ISSUER,
            jwks_uri: `${GITHUB_ISSUER}/.well-known/jwks`
          })
        }
      if (url.pathname === '/.well-known/jwks')
        return {
          status: 200,
          body: JSON.stringify({
            keys: [{ ...issuerKeys.publicKey.export({ format: 'jwk' }), kid }]
          })
        }
      const handler =
        request.method === 'POST' && url.pathname === '/fulcio' + fulcio.path
          ? certify
          : request.method === 'POST' && url.pathname === '/rekor' + rekor.path
            ? rekor.fn
            : undefined
      if (handler === undefined) return { status: 404, body: '{}' }
      const answer =
        handler === rekor.fn
          ? await rekor.fn(storedEntry(body))
          : await handler(body, request.headers.authorization)
      const { response } = answer
      // public Fulcio answers a certificate 200, which cosign 3's client requires (observed:
      // cosign 3.1.1 refuses @sigstore/mock's 201)
      const certified = handler === certify && answer.statusCode === 201
      return {
        status: certified ? 200 : answer.statusCode,
        headers: handler === rekor.fn ? entryHeaders(response) : undefined,
        body: typeof response === 'string' ? response : bytes(response)
      }
    } catch (error) {
      return {
        status: 400,
        body: JSON.stringify({ message: (error as Error).message })
      }
    }
  }

  const dir = mkdtempSync(join(tmpdir(), 'dpa-sigstore-'))
  const files = {
    SIGSTORE_ROOT_FILE: join(dir, 'fulcio-root.pem'),
    SIGSTORE_REKOR_PUBLIC_KEY: join(dir, 'rekor.pub'),
    SIGSTORE_CT_LOG_PUBLIC_KEY_FILE: join(dir, 'ctlog.pub')
  }
  writeFileSync(
    files.SIGSTORE_ROOT_FILE,
    pem('CERTIFICATE', ca.rootCertificate)
  )
  const spki = (key: KeyObject) =>
    key.export({ type: 'spki', format: 'pem' }).toString()
  writeFileSync(files.SIGSTORE_REKOR_PUBLIC_KEY, spki(rekorKeys.publicKey))
  writeFileSync(files.SIGSTORE_CT_LOG_PUBLIC_KEY_FILE, spki(ctKeys.publicKey))
  const trustedRootFile = join(dir, 'trusted_root.json')
  writeFileSync(
    trustedRootFile,
    trustedRoot(origin, bytes(ca.rootCertificate), rekorKeys, ctKeys)
  )
  return {
    fulcioUrl: `${origin}/fulcio`,
    rekorUrl: `${origin}/rekor`,
    issuerUrl: origin,
    tokenEnv: {
      ACTIONS_ID_TOKEN_REQUEST_URL: `${origin}/token?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken
    },
    trustEnv: files,
    trustedRootFile,
    tokens,
    close: () =>
      new Promise(resolve => {
        server?.closeAllConnections()
        server?.close(() => resolve())
      })
  }
}
