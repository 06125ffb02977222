import { describe, expect, it } from '@jest/globals'
import {
  authFailed,
  classifyNetworkError,
  errorBody,
  githubWaitMs,
  parseRetryAfter,
  RegistryError,
  responseFailure
} from '../../../src/registry/registry-error.js'
import { TransientError } from '../../../src/registry/retry.js'

const context = {
  registry: '127.0.0.1:5001',
  request: 'PUT http://127.0.0.1:5001/v2/x/manifests/1',
  username: 'alice'
}

const json = (code: string, message: string): string =>
  JSON.stringify({ errors: [{ code, message, detail: { big: 'x' } }] })

describe('responseFailure', () => {
  it.each([
    {
      name: '503 is transient, Retry-After kept',
      response: new Response('', {
        status: 503,
        statusText: 'Service Unavailable',
        headers: { 'Retry-After': '3' }
      }),
      type: TransientError,
      message: /^503 Service Unavailable$/,
      retryAfterMs: 3000
    },
    {
      name: '429 is transient with the registry message',
      response: new Response(json('TOOMANYREQUESTS', 'slow down'), {
        status: 429,
        statusText: 'Too Many Requests'
      }),
      type: TransientError,
      message: /^429 Too Many Requests: TOOMANYREQUESTS: slow down$/,
      retryAfterMs: undefined
    },
    {
      name: '500 is transient',
      response: new Response('oops', { status: 500 }),
      type: TransientError,
      message: /^500$/,
      retryAfterMs: undefined
    },
    {
      name: '400 carries errors[0] code and message',
      response: new Response(json('MANIFEST_INVALID', 'manifest invalid'), {
        status: 400,
        statusText: 'Bad Request'
      }),
      type: RegistryError,
      message:
        /^registry 127\.0\.0\.1:5001: PUT http:\/\/127\.0\.0\.1:5001\/v2\/x\/manifests\/1: 400 Bad Request: MANIFEST_INVALID: manifest invalid$/,
      retryAfterMs: undefined
    },
    {
      name: '404 without a JSON body',
      response: new Response('not here', {
        status: 404,
        statusText: 'Not Found'
      }),
      type: RegistryError,
      message: /^registry 127\.0\.0\.1:5001: PUT .*: 404 Not Found$/,
      retryAfterMs: undefined
    },
    {
      name: '401 names the user',
      response: new Response('', { status: 401, statusText: 'Unauthorized' }),
      type: RegistryError,
      message:
        /^registry 127\.0\.0\.1:5001: authentication failed \(401 Unauthorized\) for user "alice"$/,
      retryAfterMs: undefined
    },
    {
      name: '403 names the user and the request',
      response: new Response(
        json('DENIED', 'requested access to the resource is denied'),
        { status: 403, statusText: 'Forbidden' }
      ),
      type: RegistryError,
      message:
        /^registry 127\.0\.0\.1:5001: access denied \(403 Forbidden\) for user "alice" on PUT .*: DENIED: requested access/,
      retryAfterMs: undefined
    }
  ])('$name', async ({ response, type, message, retryAfterMs }) => {
    const error = await responseFailure(response, context)
    expect(error).toBeInstanceOf(type)
    expect(error.message).toMatch(message)
    expect((error as { retryAfterMs?: number }).retryAfterMs).toBe(retryAfterMs)
  })

  it('says "without credentials" and how to add a logins entry when there is no user', async () => {
    const error = await responseFailure(
      new Response('', { status: 401, statusText: 'Unauthorized' }),
      { ...context, username: undefined }
    )
    expect(error.message).toBe(
      'registry 127.0.0.1:5001: authentication required (401 Unauthorized) without credentials; to send some, add an entry to the logins input: "- registry: 127.0.0.1:5001" with its username and password'
    )
  })
})

describe('authFailed: a login that works without the right to push', () => {
  const refused = (challenge: string) =>
    new Response('', {
      status: 401,
      statusText: 'Unauthorized',
      headers: { 'WWW-Authenticate': challenge }
    })
  const SCOPE = 'scope="repository:o/app:pull,push",error="insufficient_scope"'
  it.each([
    {
      name: 'insufficient_scope on a push: the permission, not the password',
      registry: '127.0.0.1:5003',
      challenge: `Bearer realm="http://t/token",service="t",${SCOPE}`,
      scope: undefined,
      message:
        'registry 127.0.0.1:5003: user "dave" may not push to repository o/app: the login works, the permission is missing (insufficient_scope); grant that user push access there, or push under a repository it may write (401 Unauthorized)'
    },
    {
      name: "on GHCR: the job's packages: write",
      registry: 'ghcr.io',
      challenge: `Bearer realm="https://ghcr.io/token",service="ghcr.io",${SCOPE}`,
      scope: undefined,
      message:
        'registry ghcr.io: user "dave" may not push to repository o/app: the login works, the permission is missing (insufficient_scope); give the job `permissions: packages: write` (and the package access to this repository) (401 Unauthorized)'
    },
    {
      name: "the request's scope when the challenge names none",
      registry: 'ghcr.io',
      challenge:
        'Bearer realm="https://ghcr.io/token",error="insufficient_scope"',
      scope: 'repository:o/web:pull,push',
      message:
        /^registry ghcr\.io: user "dave" may not push to repository o\/web: /
    },
    {
      name: 'insufficient_scope on a read: not a push refusal',
      registry: 'ghcr.io',
      challenge:
        'Bearer realm="https://ghcr.io/token",scope="repository:o/app:pull",error="insufficient_scope"',
      scope: undefined,
      message:
        'registry ghcr.io: authentication failed (401 Unauthorized) for user "dave"'
    }
  ])('$name', ({ registry, challenge, scope, message }) => {
    const error = authFailed(registry, refused(challenge), 'dave', scope)
    expect(error.message).toMatch(message)
  })
})

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z')
  it.each([
    { name: 'seconds', value: '2', expected: 2000 },
    { name: 'zero', value: '0', expected: 0 },
    {
      name: 'HTTP date in the future',
      value: 'Thu, 01 Jan 2026 00:00:05 GMT',
      expected: 5000
    },
    {
      name: 'HTTP date in the past',
      value: 'Wed, 31 Dec 2025 23:00:00 GMT',
      expected: 0
    },
    { name: 'garbage', value: 'soon', expected: undefined },
    { name: 'empty', value: '', expected: undefined },
    { name: 'absent', value: null, expected: undefined }
  ])('$name', ({ value, expected }) => {
    expect(parseRetryAfter(value, now)).toBe(expected)
  })
})

describe("githubWaitMs: how long GitHub's API asks to wait", () => {
  const now = Date.parse('2026-01-01T00:00:00Z')
  const answer = (headers: Record<string, string>) =>
    new Response(null, { status: 403, headers })
  it.each<{
    name: string
    headers: Record<string, string>
    expected: number | undefined
  }>([
    {
      name: 'the secondary limit: Retry-After',
      headers: { 'retry-after': '7', 'x-ratelimit-remaining': '0' },
      expected: 7000
    },
    {
      name: 'the primary limit: until x-ratelimit-reset',
      headers: {
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(now / 1000 + 42)
      },
      expected: 42_000
    },
    {
      name: 'a reset already past: at once',
      headers: {
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(now / 1000 - 5)
      },
      expected: 0
    },
    {
      name: "requests left: the retry's own backoff",
      headers: { 'x-ratelimit-remaining': '12', 'x-ratelimit-reset': '1' },
      expected: undefined
    },
    { name: 'no headers', headers: {}, expected: undefined }
  ])('$name', ({ headers, expected }) => {
    expect(githubWaitMs(answer(headers), now)).toBe(expected)
  })
})

describe('errorBody', () => {
  it.each([
    {
      name: 'code and message',
      body: json('NAME_UNKNOWN', 'repository name not known'),
      expected: {
        code: 'NAME_UNKNOWN',
        detail: 'NAME_UNKNOWN: repository name not known'
      }
    },
    {
      name: 'code only',
      body: '{"errors":[{"code":"DENIED"}]}',
      expected: { code: 'DENIED', detail: 'DENIED' }
    },
    {
      name: 'message only',
      body: '{"errors":[{"message":"no"}]}',
      expected: { code: undefined, detail: 'no' }
    },
    { name: 'empty errors', body: '{"errors":[]}', expected: {} },
    { name: 'not JSON', body: '<html>', expected: {} },
    { name: 'empty body', body: '', expected: {} }
  ])('$name', ({ body, expected }) => {
    expect(errorBody(body)).toEqual(expected)
  })
})

describe('classifyNetworkError', () => {
  const fetchFailed = (code: string) =>
    new TypeError('fetch failed', {
      cause: Object.assign(new Error(code), { code })
    })
  const timeout = new DOMException(
    'The operation was aborted due to timeout',
    'TimeoutError'
  )
  it.each([
    {
      name: 'refused',
      error: fetchFailed('ECONNREFUSED'),
      type: TransientError,
      message: /^connection refused \(ECONNREFUSED\)$/
    },
    {
      name: 'reset',
      error: fetchFailed('ECONNRESET'),
      type: TransientError,
      message: /^connection reset \(ECONNRESET\)$/
    },
    {
      name: 'closed by undici',
      error: fetchFailed('UND_ERR_SOCKET'),
      type: TransientError,
      message: /closed by the server/
    },
    {
      name: 'unknown network code',
      error: fetchFailed('EWEIRD'),
      type: TransientError,
      message: /^fetch failed \(EWEIRD\)$/
    },
    {
      name: 'timeout',
      error: timeout,
      type: TransientError,
      message: /^no response within 500 ms$/
    },
    {
      name: 'DNS: no such host',
      error: fetchFailed('ENOTFOUND'),
      type: RegistryError,
      message: /^registry r: host not found \(ENOTFOUND\)$/
    },
    {
      name: 'TLS',
      error: fetchFailed('CERT_HAS_EXPIRED'),
      type: RegistryError,
      message: /^registry r: TLS certificate expired/
    },
    {
      name: 'programming error unchanged',
      error: new RangeError('bug'),
      type: RangeError,
      message: /^bug$/
    }
  ])('$name', ({ error, type, message }) => {
    const classified = classifyNetworkError('r', error, 500)
    expect(classified).toBeInstanceOf(type)
    expect((classified as Error).message).toMatch(message)
  })
})
