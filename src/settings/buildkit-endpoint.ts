/** A remote BuildKit (setup-buildx-action's `driver: remote`): endpoint and PEM secrets. */
import { InputError } from '../errors/input-error.js'
import { REDACTED } from './secret-lines.js'
import type { InputSource } from './parse.js'

export interface BuildkitEndpoint {
  /** `tcp://host:port` */
  endpoint: string
  /** PEM contents (never paths); empty when not given. */
  cacert: string
  cert: string
  key: string
}

const ENDPOINT = /^tcp:\/\/(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/
const CERTIFICATE =
  /^\s*-----BEGIN CERTIFICATE-----\r?\n[\s\S]+?\r?\n-----END CERTIFICATE-----\s*$/
const KEY =
  /^\s*-----BEGIN ([A-Z0-9 ]*PRIVATE KEY)-----\r?\n[\s\S]+\r?\n-----END \1-----\s*$/

const TLS_INPUTS = ['tls-cacert', 'tls-cert', 'tls-key'] as const

function pem(source: InputSource, name: string, shape: RegExp, what: string) {
  const value = source(name).trim()
  if (value !== '' && !shape.test(value))
    throw new InputError(
      name,
      REDACTED,
      `expected the contents of a PEM ${what} (-----BEGIN ` +
        `${what === 'certificate' ? 'CERTIFICATE' : '… PRIVATE KEY'}----- …), e.g. from a ` +
        `secret, not a path`
    )
  return value
}

/** The endpoint inputs, checked before any docker command; undefined without `endpoint`. */
export function parseBuildkitEndpoint(
  source: InputSource,
  builder: string
): BuildkitEndpoint | undefined {
  const endpoint = source('endpoint').trim()
  const cacert = pem(source, 'tls-cacert', CERTIFICATE, 'certificate')
  const cert = pem(source, 'tls-cert', CERTIFICATE, 'certificate')
  const key = pem(source, 'tls-key', KEY, 'private key')
  if (endpoint === '') {
    const given = TLS_INPUTS.find(name => source(name).trim() !== '')
    if (given !== undefined)
      throw new InputError(
        given,
        REDACTED,
        'TLS material is for a remote BuildKit: set endpoint (tcp://host:port) too'
      )
    return undefined
  }
  const port = Number(ENDPOINT.exec(endpoint)?.[2] ?? 0)
  if (port < 1 || port > 65535)
    throw new InputError(
      'endpoint',
      endpoint,
      "expected a BuildKit daemon's address tcp://host:port, e.g. tcp://buildkit.example.com:1234"
    )
  if (builder !== '')
    throw new InputError(
      'endpoint',
      endpoint,
      `the builder input (${builder}) already names the builder: set one of builder and endpoint`
    )
  if (cert !== '' && key === '')
    throw new InputError(
      'tls-key',
      '',
      'tls-cert is set: give its private key (PEM contents) too'
    )
  if (key !== '' && cert === '')
    throw new InputError(
      'tls-cert',
      '',
      'tls-key is set: give its client certificate (PEM contents) too'
    )
  return { endpoint, cacert, cert, key }
}
