import { registryKey } from './config-file.js'
import { DockerCommandError } from './runner.js'
import { mayNotPush, RegistryError } from '../registry/registry-error.js'
import { errorMessage, InputError } from '../errors/input-error.js'
import { REDACTED } from '../settings/secret-lines.js'

/** What the run offered a registry: a login, none for an empty password, or none at all. */
interface OfferedCredentials {
  loggedIn: string[]
  emptyPassword: string[]
}

/** What a removal says when what it removes is already gone: nothing is left, no warning. */
export const NOTHING_TO_REMOVE =
  /No such (image|container|volume)|no builder .* found/i

const DAEMON_DOWN =
  /Cannot connect to the Docker daemon|Is the docker daemon running|error during connect/i
const UNAUTHORIZED =
  /401 Unauthorized|unauthorized:|incorrect username or password/i

/** Whether docker said the registry refused the credentials (or said so for a 5xx). */
export function isAuthRefusal(error: unknown): boolean {
  return error instanceof DockerCommandError && UNAUTHORIZED.test(error.output)
}
const FORBIDDEN = /403 Forbidden|denied:|insufficient_scope/i
const INSUFFICIENT_SCOPE = /insufficient_scope/
// the repository of a registry URL in docker's line: /v2/<repository>/blobs|manifests
const REPOSITORY_IN_LINE = /\/v2\/(.+?)\/(?:blobs|manifests)\//
const UNREACHABLE =
  /connection refused|no such host|i\/o timeout|network is unreachable|connection reset|TLS handshake timeout|server gave HTTP response to HTTPS client/i

function firstMatch(output: string, pattern: RegExp): string {
  return (
    output
      .split('\n')
      .find(line => pattern.test(line))
      ?.trim() ?? ''
  )
}

/**
 * A failed docker command whose output has a line of `pattern`, told as `told` says that line
 * (undefined: not told); else the error as it came.
 */
function toldBy(
  error: unknown,
  pattern: RegExp,
  told: (said: string) => string | undefined
): unknown {
  if (!(error instanceof DockerCommandError) || !pattern.test(error.output))
    return error
  const message = told(firstMatch(error.output, pattern))
  return message === undefined ? error : new Error(message, { cause: error })
}

// where a line of docker's says it talked to: a URL, a DNS lookup, a dial
const HOST_IN_LINE = [
  /https?:\/\/([^/\s"']+)/,
  /lookup ([^\s:]+)/,
  /dial tcp ([^\s]+?):? /
]

/** The host the line that said what failed names, if it names one. */
function hostNamed(output: string): string | undefined {
  const line = [UNAUTHORIZED, FORBIDDEN, UNREACHABLE]
    .map(pattern => firstMatch(output, pattern))
    .find(found => found !== '')
  if (line === undefined) return undefined
  return HOST_IN_LINE.map(host => host.exec(line)?.[1]).find(Boolean)
}

// BuildKit's words when it cannot fetch a Git context (a URL `context`)
const GIT_FETCH =
  /failed to fetch remote (\S+?):? |error fetching default branch for repository (\S+?):? /
// git's own word, as a line of its own or a vertex's log line (`#5 0.214 fatal: …`)
const GIT_SAID = /fatal: .*/

/** A Git context BuildKit could not fetch (`said`: its line), told as such, not as a registry's. */
function gitFetchFailure(output: string, said: string): string {
  const [, url, defaultBranchOf] = GIT_FETCH.exec(output) ?? []
  const git = GIT_SAID.exec(output)?.[0] ?? said
  return (
    `the build could not fetch its Git context ${url ?? defaultBranchOf} (${git.trim()}): ` +
    "a private repository needs github-token (the default, the workflow's token, needs " +
    'contents: read); ' +
    'or check out the repository and set context: .'
  )
}

const WRONG_PASSWORD = 'refused the credentials: wrong username or password'

// what the project's own client says of a registry it could not reach
const CLIENT_UNREACHABLE =
  /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|connection refused|no response within/i

/**
 * A refused or unreachable login in one line naming the registry and user; other errors as they
 * came.
 */
export function loginFailure(
  error: unknown,
  registry: string,
  username: string
): unknown {
  if (error instanceof RegistryError && error.status === 401)
    return new Error(
      `registry ${registry} ${WRONG_PASSWORD} for user ${JSON.stringify(username)} (HTTP 401)`,
      { cause: error }
    )
  const message = errorMessage(error)
  if (!CLIENT_UNREACHABLE.test(message)) return error
  const detail = message.replace(`registry ${registry}: `, '')
  return new Error(`registry ${registry} is unreachable (${detail})`, {
    cause: error
  })
}

/** A 401 explained by what was offered: only a login of ours can be a wrong password. */
const SKIPPED_LOGIN =
  'asked for credentials and none were offered: its login was skipped because the password was ' +
  "empty (a secret that is not set, as on a fork's pull request)"

/** Whether `registry` is one of `names`, as docker's config keys a registry. */
const among = (names: string[], registry: string | undefined): boolean =>
  registry !== undefined &&
  names.some(name => registryKey(name) === registryKey(registry))

/** A 401 of our own client where the login was skipped for an empty password says so. */
export function skippedLoginRefusal(
  error: unknown,
  emptyPasswords: string[]
): unknown {
  if (!(error instanceof RegistryError) || error.status !== 401) return error
  return among(emptyPasswords, error.registry)
    ? new Error(`registry ${error.registry} ${SKIPPED_LOGIN}`, { cause: error })
    : error
}

function unauthorized(
  registry: string | undefined,
  offered: OfferedCredentials | undefined
): string {
  if (offered === undefined || among(offered.loggedIn, registry))
    return WRONG_PASSWORD
  if (among(offered.emptyPassword, registry)) return SKIPPED_LOGIN
  return (
    `asked for credentials and this run has no login for it: give username and password ` +
    `(or a logins entry) for ${registry ?? 'it'}; credentials from the docker config, if any, ` +
    `were not accepted`
  )
}

/**
 * A failed docker command as the user needs it, with docker's line; the
 * registry named is that line's host (an SBOM scanner's image on Docker Hub is
 * not the push's), else the command's.
 */
export function diagnose(
  error: unknown,
  registries: string[] = [],
  offered?: OfferedCredentials
): unknown {
  if (!(error instanceof DockerCommandError)) return error
  const { output } = error
  const registry =
    hostNamed(output) ??
    (registries.length === 1
      ? registries[0]
      : registries.find(r => output.includes(r)))
  const where = registry === undefined ? 'the registry' : `registry ${registry}`
  // what docker said, as the first row whose pattern a line of it matches tells it
  const rows: [RegExp, (said: string) => string | undefined][] = [
    [GIT_FETCH, said => gitFetchFailure(output, said)],
    [
      DAEMON_DOWN,
      said =>
        `the Docker daemon is not reachable (${said}): start dockerd or set DOCKER_HOST`
    ],
    [
      INSUFFICIENT_SCOPE,
      said =>
        registry === undefined
          ? undefined
          : `${where}: ${mayNotPush(registry, REPOSITORY_IN_LINE.exec(output)?.[1])} (${said})`
    ],
    [
      UNAUTHORIZED,
      said => `${where} ${unauthorized(registry, offered)} (${said})`
    ],
    [
      FORBIDDEN,
      said => `${where} denied access: the user may not push there (${said})`
    ],
    [UNREACHABLE, said => `${where} is unreachable (${said})`]
  ]
  for (const [pattern, told] of rows) {
    const diagnosed = toldBy(error, pattern, told)
    if (diagnosed !== error) return diagnosed
  }
  return error
}

// a misfit TLS input as buildx (a bootstrap's output) and node's tls (the probe) say it
const TLS_FAULTS = [
  {
    input: 'tls-key',
    why: 'it is not the private key of tls-cert',
    buildx:
      /private key does not match public key|failed to find (any PEM data in key|.*PRIVATE KEY)/i,
    node: /key values mismatch|KEY_VALUES_MISMATCH|bad decrypt|no start line|PEM/i
  },
  {
    input: 'tls-cacert',
    why: "the BuildKit daemon's certificate is not signed by this CA",
    buildx:
      /certificate signed by unknown authority|certificate is not trusted|failed to append ca certs/i,
    node: /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT|unable to verify|self[- ]signed certificate|certificate signature failure/i
  },
  {
    input: 'tls-cert',
    why: 'the BuildKit daemon refused this client certificate',
    buildx:
      /tls: (bad certificate|certificate required|unknown certificate authority|.*certificate.*expired)/i,
    node: /alert (bad certificate|certificate required|unknown ca|certificate expired)|alert number 4[0-9]|sslv3 alert|tlsv13 alert/i
  },
  {
    input: 'endpoint',
    why: "the BuildKit daemon's certificate does not name this address",
    buildx: /certificate is valid for|doesn't contain any IP SANs|x509:/i,
    node: /ERR_TLS_CERT_ALTNAME_INVALID|Hostname\/IP does not match/i
  }
]

/**
 * The TLS input `said` blames, named (its value never, but the endpoint's); `detail` quotes the
 * match.
 */
export function tlsFault(
  said: string,
  by: 'buildx' | 'node',
  endpoint: string,
  detail: (pattern: RegExp) => string
): InputError | undefined {
  const fault = TLS_FAULTS.find(f => f[by].test(said))
  return (
    fault &&
    new InputError(
      fault.input,
      fault.input === 'endpoint' ? endpoint : REDACTED,
      `${fault.why} (${detail(fault[by])})`
    )
  )
}

/** The endpoint where nothing answers. */
export function endpointDown(endpoint: string, said: string): InputError {
  return new InputError(
    'endpoint',
    endpoint,
    `no BuildKit daemon answers there (${said})`
  )
}

const THROTTLED_PULL = /toomanyrequests|429 Too Many Requests/i

const ENDPOINT_DOWN =
  /connection refused|no such host|i\/o timeout|network is unreachable|context deadline exceeded|DeadlineExceeded/i

/**
 * The run's own builder's failed bootstrap: a throttled image pull, misfit TLS names its input
 * (never its value), or `endpoint`.
 */
export function builderFailure(
  error: unknown,
  endpoint: string | undefined
): unknown {
  const throttled = toldBy(
    error,
    THROTTLED_PULL,
    said =>
      `the BuildKit image of the run's own builder could not be pulled: its registry throttles ` +
      `the pulls (${said}); give a login for it (Docker Hub's: a logins entry for docker.io, ` +
      `or docker/login-action before this step), or name a builder of yours`
  )
  if (throttled !== error || !(error instanceof DockerCommandError))
    return throttled
  const { output } = error
  const line = (pattern: RegExp) => firstMatch(output, pattern)
  if (endpoint === undefined) return error
  const tls = tlsFault(output, 'buildx', endpoint, line)
  if (tls !== undefined) return tls
  if (ENDPOINT_DOWN.test(output))
    return endpointDown(endpoint, line(ENDPOINT_DOWN))
  return error
}

/** buildx's words when its BuildKit goes away or stops answering in the middle of a build. */
const BUILDER_LOST =
  /error reading from server: EOF|failed to receive status|\[internal\] waiting for connection|code = Unavailable/i

/**
 * A build whose builder went away or stopped answering: named (the builder, its endpoint, the
 * platform's node), with what to do; registry faults are not this (diagnose tells them).
 */
export function lostBuilderFailure(
  error: unknown,
  builder: { name: string; endpoint?: string; platform?: string }
): unknown {
  const where = [
    builder.endpoint && `endpoint ${builder.endpoint}`,
    builder.platform && `its node for ${builder.platform}`
  ].filter(Boolean)
  const named = where.length > 0 ? ` (${where.join(', ')})` : ''
  return toldBy(
    error,
    BUILDER_LOST,
    said =>
      `the builder ${builder.name}${named} stopped answering during the build (${said}): check ` +
      'that its BuildKit daemon runs and answers (`docker buildx inspect --bootstrap`), then ' +
      're-run the job'
  )
}

/** A `RUN` for a platform this CPU cannot run without an emulator. */
export const foreignPlatformFailure = (error: unknown): unknown =>
  toldBy(
    error,
    /exec format error/i,
    said =>
      `the build ran a program of another CPU architecture and this machine cannot run it ` +
      `(${said}): emulation is set up by the step only for a builder on this engine and ` +
      `without qemu: false (on Linux >= 6.7 its handlers last only while binfmt_misc is ` +
      `mounted on the host); else set up QEMU where the builder runs, or build each platform ` +
      `on a runner of its own (mode: digest and merge)`
  )
