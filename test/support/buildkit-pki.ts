/**
 * TLS material for a BuildKit daemon of a test's own, made with openssl in a folder: a CA, a
 * server certificate for 127.0.0.1, a client certificate and key, and two misfits: another CA
 * (it signed nothing the daemon shows) and a client certificate of the right CA whose notAfter
 * has passed. This machine's openssl 3.0 has no `x509 -not_before/-not_after`, so the expired one
 * comes from `openssl ca -startdate -enddate`.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** PEM files in `dir`. */
export interface BuildkitPki {
  dir: string
  ca: string
  serverCert: string
  serverKey: string
  clientCert: string
  clientKey: string
  /** A CA that signed neither the server's certificate nor the client's. */
  otherCa: string
  /** Signed by `ca` for `clientKey`, valid from two days ago until yesterday. */
  expiredClientCert: string
}

const EC = [
  '-newkey',
  'ec',
  '-pkeyopt',
  'ec_paramgen_curve:prime256v1',
  '-nodes'
]

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })
}

/** A self-signed CA `<name>.pem` with its key `<name>.key`. */
export function makeCa(dir: string, name: string): void {
  openssl(
    dir,
    'req',
    '-x509',
    ...EC,
    '-sha256',
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.pem`
  )
}

/** A key and a certificate `<name>.pem` signed by ca.pem, with these extensions. */
export function makeLeaf(dir: string, name: string, extensions: string): void {
  writeFileSync(join(dir, `${name}.ext`), extensions)
  openssl(
    dir,
    'req',
    ...EC,
    '-subj',
    `/CN=${name}`,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`
  )
  openssl(
    dir,
    'x509',
    '-req',
    '-sha256',
    '-days',
    '2',
    '-in',
    `${name}.csr`,
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.pem`
  )
}

/** openssl's UTCTime-or-GeneralizedTime for `ca -startdate`: YYYYMMDDHHMMSSZ. */
const asn1Time = (date: Date) =>
  `${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`

/** client.csr signed again by ca.pem, valid from two days ago until yesterday. */
function makeExpired(dir: string): void {
  mkdirSync(join(dir, 'ca-db'))
  writeFileSync(join(dir, 'ca-db', 'index.txt'), '')
  writeFileSync(join(dir, 'ca-db', 'serial'), '1000\n')
  writeFileSync(
    join(dir, 'ca.cnf'),
    [
      '[ca]',
      'default_ca = own',
      '[own]',
      'database = ca-db/index.txt',
      'new_certs_dir = ca-db',
      'serial = ca-db/serial',
      'default_md = sha256',
      'policy = any',
      'x509_extensions = client',
      'unique_subject = no',
      '[any]',
      'commonName = supplied',
      '[client]',
      'extendedKeyUsage = clientAuth',
      ''
    ].join('\n')
  )
  const day = 24 * 60 * 60 * 1000
  openssl(
    dir,
    'ca',
    '-batch',
    '-notext',
    '-config',
    'ca.cnf',
    '-cert',
    'ca.pem',
    '-keyfile',
    'ca.key',
    '-in',
    'client.csr',
    '-startdate',
    asn1Time(new Date(Date.now() - 2 * day)),
    '-enddate',
    asn1Time(new Date(Date.now() - day)),
    '-out',
    'expired-client.pem'
  )
}

/** Makes the material in `dir` (an empty folder). */
export function makeBuildkitPki(dir: string): BuildkitPki {
  makeCa(dir, 'ca')
  makeCa(dir, 'other-ca')
  makeLeaf(
    dir,
    'server',
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n'
  )
  makeLeaf(dir, 'client', 'extendedKeyUsage=clientAuth\n')
  makeExpired(dir)
  const file = (name: string) => join(dir, name)
  return {
    dir,
    ca: file('ca.pem'),
    serverCert: file('server.pem'),
    serverKey: file('server.key'),
    clientCert: file('client.pem'),
    clientKey: file('client.key'),
    otherCa: file('other-ca.pem'),
    expiredClientCert: file('expired-client.pem')
  }
}

/** A PEM file's contents, as a secret hands them to the step. */
const pem = (file: string): string => readFileSync(file, 'utf8')

/** The step's inputs for a remote BuildKit at `endpoint` with this mTLS material. */
export const endpointInputs = (
  pki: Pick<BuildkitPki, 'ca' | 'clientCert' | 'clientKey'>,
  endpoint: string
): Record<string, string> => ({
  endpoint,
  'tls-cacert': pem(pki.ca),
  'tls-cert': pem(pki.clientCert),
  'tls-key': pem(pki.clientKey)
})
