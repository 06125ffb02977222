/**
 * The real test stack (scripts/stack/stack.sh): its registries, the
 * classic-store dockerd, the field engines (Docker 28.5) and the BuildKit
 * daemons and builders, from the environment when `eval "$(stack.sh env)"`
 * was done, else from `stack.sh env`.
 */
import { execFileSync } from 'node:child_process'
import { resolve } from 'node:path'

export interface StackRegistry {
  /** host:port, e.g. 127.0.0.1:5001 */
  host: string
  username: string
  password: string
}

/** Registry T: token auth (Bearer) as Docker Hub and GHCR have it. */
export interface StackTokenRegistry extends StackRegistry {
  /** May pull everything but push only under `${reader.username}/`. */
  reader: { username: string; password: string }
  /** The token issuer's URL (GET and OAuth2 POST). */
  realm: string
  /** The `service` of the registry's Bearer challenge and its tokens. */
  service: string
}

/** The git servers Git contexts are fetched from (scripts/stack/lib/git-server.sh). */
interface StackGit {
  /** The folder of the bare repositories both servers serve. */
  repos: string
  /** host:port of git daemon (git://, anonymous). */
  daemon: string
  /** host:port of the smart HTTP server (http://, needs `token`). */
  http: string
  /** The token the smart HTTP server wants (as BuildKit's GIT_AUTH_TOKEN sends it). */
  token: string
}

/** The field engines: Debian sid's Docker 28.5 (scripts/stack/lib/field-docker.sh). */
interface StackField {
  /** DOCKER_HOST of the 28.5 dockerd with the classic image store. */
  classicDockerHost: string
  /** DOCKER_HOST of the 28.5 dockerd with the containerd image store. */
  containerdDockerHost: string
  /** A folder holding `docker`, the 28.5 CLI (for PATH). */
  bin: string
  /** A folder holding `docker-buildx` 0.29 (for cliPluginsExtraDirs). */
  cliPlugins: string
  /** The unpacked sid packages: usr/sbin/dockerd and what it runs, for a test's own engine. */
  root: string
}

/**
 * Docker 29.4.2 + buildx 0.36.1 (GitHub's ubuntu-latest), from ../shared/field29
 * (scripts/stack/lib/field-docker.sh): absent where the checkout has no ../shared/field29.
 */
interface StackField29 {
  /** DOCKER_HOST of the 29.4 dockerd with the classic image store. */
  classicDockerHost: string
  /** DOCKER_HOST of the 29.4 dockerd with its default, the containerd image store. */
  containerdDockerHost: string
  /** A folder holding `docker`, the 29.4 CLI (for PATH). */
  bin: string
  /** A folder holding `docker-buildx` 0.36 (for cliPluginsExtraDirs). */
  cliPlugins: string
  /** The unpacked tarball: usr/sbin/dockerd of 29.4, for a test's own engine. */
  root: string
}

/**
 * The BuildKit daemons and builders (scripts/stack/lib/buildkit.sh). Builders in
 * `buildxConfig`: dpa-remote, dpa-remote-tls, dpa-two-node (remote driver),
 * dpa-container-26, dpa-container-26-classic, dpa-container-28-classic and
 * dpa-container-28-containerd (docker-container driver on each engine), and
 * dpa-container-29-containerd where Docker 29 runs.
 */
interface StackBuildkit {
  /** The buildx state folder (BUILDX_CONFIG) that holds the stack's builders. */
  buildxConfig: string
  /** The BuildKit version buildkitd reports, e.g. v0.25.2. */
  version: string
  /** buildkitd #1's unix socket address, e.g. unix:///var/run/dpa-buildkitd.sock. */
  sock: string
  /** buildkitd #1's TCP address with mTLS, e.g. tcp://127.0.0.1:5021. */
  tcp: string
  /** The folder with ca.pem, client.pem and client.key for `tcp`. */
  tlsDir: string
}

/** What the e2e of emulation needs (scripts/stack/lib/emulation.sh). */
interface StackEmulation {
  /** A linux/amd64 + linux/arm64 busybox image in registry A, e.g. 127.0.0.1:5001/base/busybox:latest. */
  base: string
  /** The stand-in of tonistiigi/binfmt in every engine, under the moving tag. */
  binfmtImage: string
  /**
   * The stand-ins of the images the step pins by digest, in registry A as `name:tag@sha256:…`
   * (scripts/stack/lib/stand-ins.sh): what a test gives `qemu` and `buildkit-image`; and the
   * stand-in of BuildKit's SBOM generator (scripts/stack/lib/sbom-generator.sh), what a test gives
   * `sbom: generator=…`.
   */
  standIns: { binfmt: string; buildkit: string; sbomGenerator: string }
}

export interface StackEnv {
  a: StackRegistry
  b: StackRegistry
  /** username pulls and pushes everywhere; anonymous pulls only public/. */
  t: StackTokenRegistry
  /** DOCKER_HOST of the dockerd with the classic image store. */
  classicDockerHost: string
  git: StackGit
  field: StackField
  /** Undefined where the stack runs no Docker 29 (no ../shared/field29). */
  field29?: StackField29
  buildkit: StackBuildkit
  emulation: StackEmulation
  /**
   * The control API of the results service stand-in (scripts/stack/lib/results-service.sh),
   * e.g. http://127.0.0.1:5007: test/support/results-service/stack-services.ts asks it for tenants.
   */
  resultsService: string
  /** Debian sid's cosign 3 (scripts/stack/lib/cosign3.sh); `cosign` on PATH is trixie's 2.5. */
  cosign3: string
}

const ROOT = resolve(import.meta.dirname, '../..')

/** Undoes bash's printf %q for the simple values stack.sh prints. */
function unquote(value: string): string {
  const quoted = /^'(.*)'$/.exec(value) ?? /^\$'(.*)'$/.exec(value)
  if (quoted !== null) return quoted[1]
  return value.replace(/\\(.)/g, '$1')
}

/** `export NAME=value` lines into a record. */
function parseExports(text: string): Record<string, string> {
  const values: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const match = /^export ([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim())
    if (match !== null) values[match[1]] = unquote(match[2])
  }
  return values
}

/** What `stack.sh env` exports. */
function stackScriptEnv(): Record<string, string> {
  return parseExports(
    execFileSync('bash', [resolve(ROOT, 'scripts/stack/stack.sh'), 'env'], {
      encoding: 'utf8',
      timeout: 30_000
    })
  )
}

function readVariables(): Record<string, string | undefined> {
  if (
    process.env.DPA_REGISTRY_A_PASSWORD &&
    process.env.DPA_REGISTRY_B_PASSWORD &&
    process.env.DPA_REGISTRY_T_READER_PASSWORD &&
    process.env.DPA_CLASSIC_DOCKER_HOST &&
    process.env.DPA_GIT_TOKEN &&
    process.env.DPA_FIELD_CLASSIC_DOCKER_HOST &&
    process.env.DPA_FIELD_CONTAINERD_DOCKER_HOST &&
    process.env.DPA_FIELD_BIN &&
    process.env.DPA_FIELD_CLI_PLUGINS &&
    process.env.DPA_BUILDX_CONFIG &&
    process.env.DPA_BUILDKIT_VERSION &&
    process.env.DPA_BUILDKIT_SOCK &&
    process.env.DPA_BUILDKIT_TCP &&
    process.env.DPA_BUILDKIT_TLS_DIR &&
    process.env.DPA_EMULATION_BASE &&
    process.env.DPA_BINFMT_IMAGE &&
    process.env.DPA_RESULTS_SERVICE &&
    process.env.DPA_COSIGN3
  ) {
    return process.env
  }
  try {
    return stackScriptEnv()
  } catch (error) {
    throw new Error(
      `cannot read the test stack's registries (run "bash scripts/stack/stack.sh up" as root first): ${String(error)}`
    )
  }
}

function reader(vars: Record<string, string | undefined>) {
  return (name: string): string => {
    const value = vars[name]
    if (!value) throw new Error(`${name} is not set by stack.sh env`)
    return value
  }
}

function registry(
  vars: Record<string, string | undefined>,
  id: 'A' | 'B' | 'T'
): StackRegistry {
  const read = reader(vars)
  return {
    host: read(`DPA_REGISTRY_${id}`),
    username: read(`DPA_REGISTRY_${id}_USER`),
    password: read(`DPA_REGISTRY_${id}_PASSWORD`)
  }
}

function tokenRegistry(
  vars: Record<string, string | undefined>
): StackTokenRegistry {
  const read = reader(vars)
  return {
    ...registry(vars, 'T'),
    reader: {
      username: read('DPA_REGISTRY_T_READER'),
      password: read('DPA_REGISTRY_T_READER_PASSWORD')
    },
    realm: read('DPA_REGISTRY_T_REALM'),
    service: read('DPA_REGISTRY_T_SERVICE')
  }
}

let cached: StackEnv | undefined

export function stackEnv(): StackEnv {
  if (cached === undefined) {
    const vars = readVariables()
    cached = {
      a: registry(vars, 'A'),
      b: registry(vars, 'B'),
      t: tokenRegistry(vars),
      classicDockerHost: reader(vars)('DPA_CLASSIC_DOCKER_HOST'),
      git: {
        repos: reader(vars)('DPA_GIT_REPOS'),
        daemon: reader(vars)('DPA_GIT_DAEMON'),
        http: reader(vars)('DPA_GIT_HTTP'),
        token: reader(vars)('DPA_GIT_TOKEN')
      },
      field: {
        classicDockerHost: reader(vars)('DPA_FIELD_CLASSIC_DOCKER_HOST'),
        containerdDockerHost: reader(vars)('DPA_FIELD_CONTAINERD_DOCKER_HOST'),
        bin: reader(vars)('DPA_FIELD_BIN'),
        cliPlugins: reader(vars)('DPA_FIELD_CLI_PLUGINS'),
        root: reader(vars)('DPA_FIELD_ROOT')
      },
      ...(vars.DPA_FIELD29_ROOT !== undefined && {
        field29: {
          classicDockerHost: reader(vars)('DPA_FIELD29_CLASSIC_DOCKER_HOST'),
          containerdDockerHost: reader(vars)(
            'DPA_FIELD29_CONTAINERD_DOCKER_HOST'
          ),
          bin: reader(vars)('DPA_FIELD29_BIN'),
          cliPlugins: reader(vars)('DPA_FIELD29_CLI_PLUGINS'),
          root: reader(vars)('DPA_FIELD29_ROOT')
        }
      }),
      buildkit: {
        buildxConfig: reader(vars)('DPA_BUILDX_CONFIG'),
        version: reader(vars)('DPA_BUILDKIT_VERSION'),
        sock: reader(vars)('DPA_BUILDKIT_SOCK'),
        tcp: reader(vars)('DPA_BUILDKIT_TCP'),
        tlsDir: reader(vars)('DPA_BUILDKIT_TLS_DIR')
      },
      emulation: {
        base: reader(vars)('DPA_EMULATION_BASE'),
        binfmtImage: reader(vars)('DPA_BINFMT_IMAGE'),
        standIns: {
          binfmt: reader(vars)('DPA_STANDIN_BINFMT'),
          buildkit: reader(vars)('DPA_STANDIN_BUILDKIT'),
          sbomGenerator: reader(vars)('DPA_SBOM_GENERATOR')
        }
      },
      resultsService: reader(vars)('DPA_RESULTS_SERVICE'),
      cosign3: reader(vars)('DPA_COSIGN3')
    }
  }
  return cached
}

/** Registry E: registry host:port names under ECR's, TLS with the stack's CA, user AWS. */
export interface StackEcrRegistry extends StackRegistry {
  /** The same registry under a second account's name (AWS_ACCOUNT_IDS). */
  other: string
  /** The same registry under ECR Public's name. */
  public: string
  /** The same registry as dhi.io (a Docker Hub name of login-action's OIDC login). */
  dhi: string
  /** The CA file its certificate is signed by (NODE_EXTRA_CA_CERTS). */
  ca: string
}

/** Registry E (scripts/stack/lib/ecr-registry.sh), read apart so other tests never need it. */
export function ecrStackRegistry(): StackEcrRegistry {
  const vars = process.env.DPA_REGISTRY_E_PASSWORD
    ? process.env
    : stackScriptEnv()
  const read = reader(vars)
  return {
    host: read('DPA_REGISTRY_E'),
    username: read('DPA_REGISTRY_E_USER'),
    password: read('DPA_REGISTRY_E_PASSWORD'),
    other: read('DPA_REGISTRY_E_OTHER'),
    public: read('DPA_REGISTRY_E_PUBLIC'),
    dhi: read('DPA_REGISTRY_E_DHI'),
    ca: read('DPA_REGISTRY_E_CA')
  }
}

/**
 * The stack's Node 24 (scripts/stack/lib/node24.sh), the node the Actions runner runs the action
 * on (action.yml's `using: node24`), read apart as registry E is: DPA_NODE24, the binary's path.
 */
export function stackNode24(): string {
  const node = process.env.DPA_NODE24 ?? stackScriptEnv().DPA_NODE24
  if (!node)
    throw new Error(
      'the stack lacks Node 24, the node the runner runs the action on: DPA_NODE24 is not set ' +
        'by stack.sh env (scripts/stack/lib/node24.sh; run "bash scripts/stack/stack.sh up")'
    )
  return node
}

/** The stack's oras (scripts/stack/lib/oras.sh), a registry client of its own: DPA_ORAS. */
export function stackOras(): string {
  const oras = process.env.DPA_ORAS ?? stackScriptEnv().DPA_ORAS
  if (!oras)
    throw new Error(
      'the stack lacks oras: DPA_ORAS is not set by stack.sh env (scripts/stack/lib/oras.sh; ' +
        'run "bash scripts/stack/stack.sh up")'
    )
  return oras
}

/** The GHCR stand-in (scripts/stack/lib/ghcr.sh): ghcr.io, its plain twin and the packages API. */
export interface StackGhcr {
  /** ghcr.io:5444: TLS with registry E's CA; resolve ghcr.io through test/support/with-hosts.ts. */
  host: string
  /** 127.0.0.1:5008: the same storage over plain HTTP, for seeding. */
  plain: string
  /** The packages API's base URL (GITHUB_API_URL). */
  api: string
  username: string
  password: string
  /** May delete versions (user octocat). */
  token: string
  /** Reads only (user hubot). */
  readToken: string
  /** The CA file ghcr.io's certificate is signed by (registry E's). */
  ca: string
  /** The registry's storage folder, which the packages API lists (a test backdates a push there). */
  storage: string
}

/** The GHCR stand-in, read apart as registry E is. */
export function ghcrStack(): StackGhcr {
  const vars = process.env.DPA_GHCR_STORAGE ? process.env : stackScriptEnv()
  const read = reader(vars)
  return {
    host: read('DPA_GHCR'),
    plain: read('DPA_GHCR_PLAIN'),
    api: read('DPA_GHCR_API'),
    username: read('DPA_GHCR_USER'),
    password: read('DPA_GHCR_PASSWORD'),
    token: read('DPA_GHCR_TOKEN'),
    readToken: read('DPA_GHCR_READ_TOKEN'),
    ca: read('DPA_REGISTRY_E_CA'),
    storage: read('DPA_GHCR_STORAGE')
  }
}
