import { isIP } from 'node:net'
import { csvFields, parseInputList } from '../csv/csv.js'
import { checkEach, parseValue, type InputSource } from './parse.js'

/** The build-push-action build options that pass to buildx as they are. */
export interface BuildOptions {
  /** --add-host `host:ip` lines. */
  addHosts: string[]
  /** --allow entitlements (network.host, security.insecure, …). */
  allow: string[]
  /** --attest lines (`type=sbom,generator=…`). */
  attests: string[]
  /** --call method (build, check, outline, targets); '' leaves it out. */
  call: string
  cgroupParent: string
  /** --network for RUN instructions: default, none or host; '' leaves it out. */
  network: string
  /** --no-cache-filter stages. */
  noCacheFilters: string[]
  /** --output lines (`type=local,dest=out`); they replace the image output. */
  outputs: string[]
  /** --shm-size, e.g. 2g. */
  shmSize: string
  /** --ulimit lines, e.g. nofile=1024:1024. */
  ulimits: string[]
}

type Check = (value: string) => boolean

const ENTITLEMENT =
  /^(network\.host|security\.insecure|ssh|device(=.+)?|fs(\.read|\.write)?=.+)$/
const CALL_METHODS = [
  'build',
  'check',
  'outline',
  'targets',
  'subrequests.describe'
]
const NETWORKS = ['default', 'none', 'host']
const SIZE = /^\d+(\.\d+)? ?[kmgtp]?i?b?$/i
const ULIMIT_NAMES = [
  'core',
  'cpu',
  'data',
  'fsize',
  'locks',
  'memlock',
  'msgqueue',
  'nice',
  'nofile',
  'nproc',
  'rss',
  'rtprio',
  'rttime',
  'sigpending',
  'stack'
]

/** `host:ip` or `host=ip`; the ip may be IPv6 (bracketed or not) or host-gateway. */
const isExtraHost: Check = line => {
  const at = line.includes('=') ? line.indexOf('=') : line.indexOf(':')
  const host = line.slice(0, at)
  const ip = line.slice(at + 1).replace(/^\[(.*)\]$/, '$1')
  return at > 0 && !/\s/.test(host) && (ip === 'host-gateway' || isIP(ip) !== 0)
}

const OUTPUT_TYPES = [
  'registry',
  'image',
  'local',
  'tar',
  'oci',
  'docker',
  'cacheonly'
]

/**
 * As buildx reads --output: one field without type= is a local path (`-`: tar to stdout), else a
 * known type.
 */
const isOutput: Check = line => {
  const fields = csvFields(line)
  if (fields.length === 1 && !fields[0].startsWith('type=')) return true
  const types = fields.filter(f => f.trim().startsWith('type='))
  return (
    types.length === 1 &&
    OUTPUT_TYPES.includes(types[0].trim().slice('type='.length))
  )
}

const hasType: Check = line =>
  csvFields(line).some(f => /^type=.+/.test(f.trim()))

const isCall: Check = value => {
  const [method, ...options] = csvFields(value)
  return (
    CALL_METHODS.includes(method) &&
    options.every(o =>
      /^(format=.+|ignorestatus=(true|false|1|0|t|f))$/i.test(o)
    )
  )
}

const isUlimit: Check = line => {
  const match = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(line)
  return match !== null && ULIMIT_NAMES.includes(match[1])
}

export function parseBuildOptions(source: InputSource): BuildOptions {
  const list = (input: string, ignoreComma = false) =>
    parseInputList(source, input, { ignoreComma })
  return {
    addHosts: checkEach(
      'add-hosts',
      list('add-hosts'),
      isExtraHost,
      'expected host:ip entries, e.g. docker:10.180.0.1 or gw:host-gateway'
    ),
    allow: checkEach(
      'allow',
      list('allow'),
      v => ENTITLEMENT.test(v),
      'expected entitlements: network.host, security.insecure, ssh, device[=…], ' +
        'fs[.read|.write]=path'
    ),
    attests: checkEach(
      'attests',
      list('attests', true),
      hasType,
      'expected attestation lines with a type, e.g. type=sbom,generator=image'
    ),
    call: parseValue(
      source,
      'call',
      isCall,
      `expected one of ${CALL_METHODS.join(', ')}, optionally with format= or ignorestatus=, ` +
        `e.g. outline,format=json`
    ),
    cgroupParent: source('cgroup-parent').trim(),
    network: parseValue(
      source,
      'network',
      v => NETWORKS.includes(v),
      `expected one of ${NETWORKS.join(', ')} (buildx knows no other network mode)`
    ),
    noCacheFilters: list('no-cache-filters'),
    outputs: checkEach(
      'outputs',
      parseInputList(source, 'outputs', { ignoreComma: true, quote: false }),
      isOutput,
      `expected a local path, - (a tar to stdout), or type=<${OUTPUT_TYPES.join('|')}> with its ` +
        `attributes, e.g. type=local,dest=out`
    ),
    shmSize: parseValue(
      source,
      'shm-size',
      v => SIZE.test(v),
      'expected a size such as 128m, 2g or 1073741824'
    ),
    ulimits: checkEach(
      'ulimit',
      list('ulimit', true),
      isUlimit,
      `expected name=soft[:hard] with a name among ${ULIMIT_NAMES.join(', ')}, e.g. ` +
        `nofile=1024:1024`
    )
  }
}

/**
 * A `call` that evaluates the build (check, outline, …) instead of running it: buildx's `--call`
 * is passed.
 */
export function evaluatesOnly(call: string): boolean {
  return call !== '' && csvFields(call)[0] !== 'build'
}
