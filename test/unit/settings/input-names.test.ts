import { readFileSync, readdirSync } from 'node:fs'
import { describe, expect, it } from '@jest/globals'
import { parse } from 'yaml'
import { INPUT_NAMES } from '../../../src/settings/input-names.js'
import { parseSettings, type Settings } from '../../../src/settings/settings.js'
import { describePublication } from '../../../src/plan/publication.js'
import { pipelineFor } from '../../../src/plan/pipeline.js'
import { allSteps } from '../../../src/plan/steps.js'
import { withDockerOidc } from '../../../src/publish/token-logins.js'
import type { Builder } from '../../../src/plan/builder.js'
import type { RefContext } from '../../../src/context/context-types.js'

// The input names live in three places: action.yml (what the runner
// passes), src/settings/input-names.ts (what the CLI accepts as flags) and
// the README's inputs table (what a user reads). They must agree.

const ROOT = new URL('../../../', import.meta.url)

function read(path: string): string {
  return readFileSync(new URL(path, ROOT), 'utf8')
}

interface Declared {
  description: string
  default?: string
}

const action = parse(read('action.yml')) as {
  inputs: Record<string, Declared>
  outputs: Record<string, Declared>
}

/** The rows of the table under `## <heading>`, as cells (escaped `\|` kept). */
function tableRows(markdown: string, heading: string): string[][] {
  const lines = markdown.split('\n')
  const start = lines.indexOf(`## ${heading}`)
  expect(start).toBeGreaterThanOrEqual(0)
  const end = lines.findIndex((line, i) => i > start && line.startsWith('## '))
  return lines
    .slice(start + 1, end < 0 ? undefined : end)
    .filter(line => line.startsWith('|'))
    .map(line =>
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map(cell => cell.trim())
    )
    .slice(2) // the header and its --- line
}

/** The names in a cell: each `code span` of it. */
function codeSpans(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map(match => match[1])
}

const README = read('README.md')
const inputRows = tableRows(README, 'Inputs')
const sorted = (names: string[]): string[] => [...names].sort()

describe('input names: action.yml, input-names.ts and the README agree', () => {
  it('input-names.ts lists each input action.yml declares, once', () => {
    expect(new Set(INPUT_NAMES).size).toBe(INPUT_NAMES.length)
    expect(sorted(INPUT_NAMES)).toEqual(sorted(Object.keys(action.inputs)))
  })

  it("the README's inputs table has one row per declared input", () => {
    const names = inputRows.map(([name]) => codeSpans(name).join(' '))
    expect(new Set(names).size).toBe(names.length)
    expect(sorted(names)).toEqual(sorted(Object.keys(action.inputs)))
  })

  it("the README's default column is action.yml's default", () => {
    const shown = Object.fromEntries(
      inputRows.map(([name, value]) => [
        codeSpans(name)[0],
        codeSpans(value)[0] ?? ''
      ])
    )
    const declared = Object.fromEntries(
      Object.entries(action.inputs).map(([name, input]) => [
        name,
        input.default ?? ''
      ])
    )
    expect(shown).toEqual(declared)
  })

  it("the README's outputs table names each declared output, once", () => {
    const names = tableRows(README, 'Outputs').flatMap(([name]) =>
      codeSpans(name)
    )
    expect(new Set(names).size).toBe(names.length)
    expect(sorted(names)).toEqual(sorted(Object.keys(action.outputs)))
  })
})

/** A step of this action: its `with:` inputs and its `env:`. */
interface OurStep {
  inputs: Record<string, unknown>
  env: Record<string, unknown>
}

/** Every step that uses this action with a `with:` block, anywhere in a document. */
function ourSteps(node: unknown): OurStep[] {
  if (Array.isArray(node)) return node.flatMap(ourSteps)
  if (node === null || typeof node !== 'object') return []
  const record = node as Record<string, unknown>
  const own =
    typeof record.uses === 'string' &&
    record.uses.includes('/docker-publish-action@') &&
    typeof record.with === 'object' &&
    record.with !== null
      ? [
          {
            inputs: record.with as Record<string, unknown>,
            env: (record.env ?? {}) as Record<string, unknown>
          }
        ]
      : []
  return [...own, ...Object.values(record).flatMap(ourSteps)]
}

const DOCUMENTS = [
  'README.md',
  ...readdirSync(new URL('docs/', ROOT))
    .filter(name => name.endsWith('.md'))
    .map(name => `docs/${name}`)
]

const yamlBlocks = DOCUMENTS.flatMap(path =>
  [...read(path).matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map(
    (match, index) => ({ name: `${path} block ${index + 1}`, text: match[1] })
  )
)

describe("the documents' workflows use declared inputs", () => {
  it.each(yamlBlocks)('$name is valid YAML', ({ text }) => {
    expect(() => {
      parse(text)
    }).not.toThrow()
  })

  it('every with: key of a step of this action is a declared input', () => {
    const blocks = yamlBlocks.flatMap(({ name, text }) =>
      ourSteps(parse(text)).map(({ inputs }) => ({ name, block: inputs }))
    )
    expect(blocks.length).toBeGreaterThanOrEqual(8)
    const undeclared = blocks.flatMap(({ name, block }) =>
      Object.keys(block)
        .filter(key => !(key in action.inputs))
        .map(key => `${name}: ${key}`)
    )
    expect(undeclared).toEqual([])
  })
})

/**
 * What the runner puts in place of each `${{ … }}` the documents' steps use,
 * shaped as the real value is (a PEM key where a key goes): an expression
 * not listed here fails the test, so a new one gets a value here first.
 */
const PEM = (label: string) =>
  `-----BEGIN ${label}-----\nMIIBexample\n-----END ${label}-----`
const EXPRESSIONS: Record<string, string> = {
  'github.actor': 'octocat',
  'github.repository': 'acme/app',
  'matrix.platform': 'linux/arm64',
  'inputs.digest': `sha256:${'a'.repeat(64)}`,
  // docs/safety.md's rollback, dispatched by hand
  'inputs.release': '1.4.2',
  'inputs.reason': '1.5.0 corrupts uploads (#812)',
  'secrets.GITHUB_TOKEN': 'ghs_example',
  'secrets.DOCKERHUB_TOKEN': 'dckr_pat_example',
  'secrets.COSIGN_KEY': PEM('ENCRYPTED SIGSTORE PRIVATE KEY'),
  'secrets.COSIGN_PASSWORD': 'cosign-password',
  'vars.COSIGN_PUBLIC_KEY': PEM('PUBLIC KEY'),
  'secrets.BUILDKIT_CA': PEM('CERTIFICATE'),
  'secrets.BUILDKIT_CERT': PEM('CERTIFICATE'),
  'secrets.BUILDKIT_KEY': PEM('PRIVATE KEY'),
  'secrets.AWS_ACCESS_KEY_ID': 'AKIAEXAMPLE',
  'secrets.AWS_SECRET_ACCESS_KEY': 'aws-secret-example',
  'vars.DOCKERHUB_OIDC_CONNECTIONID': '0b5a4b6e-2f4c-4d1e-9a7b-3c2d1e0f9a8b',
  'steps.gcp.outputs.access_token': 'ya29.example',
  'secrets.AZURE_CLIENT_ID': '00000000-0000-0000-0000-000000000000',
  'secrets.AZURE_CLIENT_SECRET': 'azure-secret-example',
  'steps.acr.outputs.token': 'acr-token-example',
  'secrets.GITLAB_DEPLOY_USER': 'gitlab+deploy-token-1',
  'secrets.GITLAB_DEPLOY_TOKEN': 'gitlab-token-example',
  'secrets.QUAY_ROBOT_TOKEN': 'quay-token-example',
  // the README's matrix: each leg's job output under its own name (settings/leg-outputs.ts)
  'toJSON(needs.build.outputs)': JSON.stringify(
    Object.fromEntries(
      ['linux/amd64', 'linux/arm64'].map(platform => [
        `leg-${platform.replace('/', '-')}`,
        JSON.stringify({ platform, digests: [`sha256:${'a'.repeat(64)}`] })
      ])
    )
  ),
  'vars.REGISTRY_USER': 'deployer',
  'secrets.REGISTRY_TOKEN': 'registry-token-example'
}

/** What the runner gives a job with `permissions: id-token: write`. */
const ID_TOKEN_ENV = {
  ACTIONS_ID_TOKEN_REQUEST_URL: 'https://token.actions.example/',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'id-token-request-example'
}

/** A `with:` value as the runner passes it on `event`: expressions replaced, `true` as text. */
function asInput(value: unknown, event: Event): string {
  const values: Record<string, string> = {
    ...EXPRESSIONS,
    "github.event_name != 'pull_request'": String(!event.pullRequest)
  }
  return String(value).replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expression) => {
    const known = values[expression as string]
    if (known === undefined)
      throw new Error(`no value for \${{ ${expression} }}`)
    return known
  })
}

/** The runs the documents' workflows are tried on: a release of acme/app and a pull request. */
interface Event {
  name: string
  ctx: RefContext
  pullRequest: boolean
}
const RELEASE: RefContext = {
  eventName: 'push',
  ref: 'refs/tags/v1.2.3',
  sha: 'f'.repeat(40),
  defaultBranches: ['main'],
  runId: '123',
  repository: { fullName: 'acme/app', htmlUrl: 'https://github.com/acme/app' }
}
const EVENTS: Event[] = [
  { name: 'release v1.2.3', ctx: RELEASE, pullRequest: false },
  {
    name: 'pull request 7',
    ctx: {
      ...RELEASE,
      eventName: 'pull_request',
      ref: 'refs/pull/7/merge',
      prNumber: 7,
      prHeadRef: 'feature/x',
      baseRef: 'main'
    },
    pullRequest: true
  }
]
const ORIGIN = {
  runner: true,
  serverUrl: 'https://github.com',
  git: {
    serverUrl: 'https://github.com',
    url: `https://github.com/acme/app.git#${'f'.repeat(40)}`
  }
}
const BUILDER: Builder = {
  name: 'default',
  driver: 'docker',
  store: 'containerd'
}

/** The step's settings as the run reads them on `event`, with the job's ID token offered. */
async function stepSettings(step: OurStep, event: Event): Promise<Settings> {
  const evaluated = (values: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(values).map(([key, value]) => [key, asInput(value, event)])
    )
  const inputs = evaluated(step.inputs)
  const env = { ...ID_TOKEN_ENV, ...evaluated(step.env) }
  // the run's first step (publish/run.ts): Docker Hub's OIDC login from the step's env
  return withDockerOidc(
    await parseSettings(name => inputs[name] ?? '', ORIGIN),
    env
  )
}

/** The step's inputs through the settings parser, the publication and the plan: a dry run without docker. */
async function planSteps(step: OurStep, event: Event): Promise<number> {
  const settings = await stepSettings(step, event)
  const publication = describePublication(settings, event.ctx, new Date(0))
  const pipeline = pipelineFor({
    settings,
    publication,
    builder: BUILDER,
    files: { metadata: 'm', iid: 'i', layout: 'l', secretSpecs: [] },
    userConfig: '/home/runner/.docker'
  })
  return allSteps(pipeline).length
}

const documentSteps = yamlBlocks.flatMap(({ name, text }) =>
  ourSteps(parse(text)).flatMap((step, index) =>
    EVENTS.map(event => ({
      name: `${name}, step ${index + 1}, on a ${event.name}`,
      step,
      event
    }))
  )
)

describe("the documents' workflows run as written (a dry run without docker)", () => {
  it('finds the steps of this action', () => {
    expect(documentSteps.length).toBeGreaterThanOrEqual(2 * 8)
  })

  // an input error (or any refusal of the plan) rejects
  it.each(documentSteps)('$name: planned', async ({ step, event }) => {
    await expect(planSteps(step, event)).resolves.toEqual(expect.any(Number))
  })
})

/** A job's GITHUB_TOKEN and ID-token scopes: scope → the level its steps need. */
type Needs = Record<string, 'read' | 'write'>

const need = (needs: Needs, scope: string, level: 'read' | 'write') => {
  if (needs[scope] !== 'write') needs[scope] = level
}

/**
 * What this action's step needs of the job, on either event: packages on GHCR (write where it
 * pushes; GitHub's docs, "Publishing Docker images"), id-token for Docker Hub's OIDC login and
 * keyless signing, contents to fetch the commit's Git context (the default `context`).
 */
async function ourNeeds(
  step: OurStep,
  needs: Needs,
  checkedOut: boolean
): Promise<string[]> {
  const uncovered = new Set<string>()
  for (const event of EVENTS) {
    const settings = await stepSettings(step, event)
    const writes = settings.build.push && !settings.dryRun
    const logins = settings.logins.map(login => login.registry)
    for (const { registry } of settings.images)
      if (writes && !logins.includes(registry)) uncovered.add(registry)
    if (settings.images.some(image => image.registry === 'ghcr.io'))
      need(needs, 'packages', writes ? 'write' : 'read')
    if (settings.logins.some(login => login.dockerOidc))
      need(needs, 'id-token', 'write')
    if (settings.signing.sign === 'keyless') need(needs, 'id-token', 'write')
    const builds = settings.mode === 'build' || settings.mode === 'digest'
    if (builds && settings.build.context.includes('.git#'))
      need(needs, 'contents', 'read')
    if (builds && !/^[a-z]+:\/\//.test(settings.build.context) && !checkedOut)
      uncovered.add(
        `actions/checkout before the context ${settings.build.context}`
      )
  }
  return [...uncovered].map(what =>
    what.includes(' ') ? `no ${what}` : `no credentials for ${what}`
  )
}

/**
 * Other actions' needs, from their own docs: actions/checkout reads contents; the clouds' OIDC
 * logins (google-github-actions/auth's workload identity, azure/login without a client secret,
 * configure-aws-credentials' role without keys) ask for the job's ID token.
 */
function theirNeeds(
  step: { uses?: string; with?: Record<string, unknown> },
  needs: Needs
): void {
  const uses = step.uses ?? ''
  const inputs = step.with ?? {}
  if (uses.startsWith('actions/checkout@')) need(needs, 'contents', 'read')
  const oidc =
    (uses.startsWith('google-github-actions/auth@') &&
      'workload_identity_provider' in inputs) ||
    (uses.startsWith('azure/login@') && !('client-secret' in inputs)) ||
    (uses.startsWith('aws-actions/configure-aws-credentials@') &&
      'role-to-assume' in inputs &&
      !('aws-access-key-id' in inputs))
  if (oidc) need(needs, 'id-token', 'write')
}

type Permissions = string | Record<string, string> | undefined

/** A job of a document's block: its permissions (undefined: none written) and its steps. */
interface DocJob {
  name: string
  permissions: Permissions
  steps: { uses?: string; with?: Record<string, unknown> }[]
}

/**
 * The jobs a block shows: a workflow's (a job's permissions replace the workflow's, as GitHub
 * applies them), a job's body (`permissions` and `steps`), or a list of steps (no permissions).
 */
function docJobs(block: unknown): DocJob[] {
  if (Array.isArray(block))
    return [
      { name: 'steps', permissions: undefined, steps: block as DocJob['steps'] }
    ]
  if (block === null || typeof block !== 'object') return []
  const record = block as {
    jobs?: Record<string, Omit<DocJob, 'name'>>
    permissions?: Permissions
    steps?: DocJob['steps']
  }
  if (record.jobs !== undefined)
    return Object.entries(record.jobs).map(([name, job]) => ({
      name,
      permissions: job.permissions ?? record.permissions,
      steps: job.steps ?? []
    }))
  if (record.steps !== undefined)
    return [
      { name: 'job', permissions: record.permissions, steps: record.steps }
    ]
  return []
}

/**
 * GitHub's restricted default for a job that writes none (every repository created since 2023
 * unless changed; GitHub's docs, "Permissions for the GITHUB_TOKEN"): contents and packages read.
 */
const DEFAULT_PERMISSIONS: Record<string, string> = {
  contents: 'read',
  packages: 'read'
}

/** Whether `permissions` grant `scope` at `level` (write covers read; read-all, write-all). */
function grants(written: Permissions, scope: string, level: string) {
  const permissions = written ?? DEFAULT_PERMISSIONS
  if (typeof permissions === 'string')
    return (
      permissions === 'write-all' ||
      (permissions === 'read-all' && level === 'read')
    )
  const given = permissions?.[scope]
  return given === 'write' || (given === 'read' && level === 'read')
}

/**
 * What a block's jobs need and do not say: `<job>: <scope>: <level>`, or a registry pushed to
 * with no credentials of the step's.
 */
async function unmetNeeds(text: string): Promise<string[]> {
  const missing: string[] = []
  for (const job of docJobs(parse(text))) {
    const needs: Needs = {}
    let checkedOut = false
    for (const step of job.steps) {
      theirNeeds(step, needs)
      for (const ours of ourSteps(step))
        for (const line of await ourNeeds(ours, needs, checkedOut))
          missing.push(`${job.name}: ${line}`)
      checkedOut ||= (step.uses ?? '').startsWith('actions/checkout@')
    }
    for (const [scope, level] of Object.entries(needs))
      if (!grants(job.permissions, scope, level))
        missing.push(`${job.name}: ${scope}: ${level}`)
  }
  return missing
}

describe("the documents' workflows say the permissions and credentials their steps need", () => {
  it.each(yamlBlocks)('$name', async ({ text }) => {
    expect(await unmetNeeds(text)).toEqual([])
  })

  const STEP = `
      - uses: acme/docker-publish-action@v1
        with:
          images: ghcr.io/acme/app
          username: \${{ github.actor }}
          password: \${{ secrets.GITHUB_TOKEN }}`
  it.each([
    {
      name: 'a workflow that pushes to GHCR without permissions (planted)',
      text: `jobs:\n  publish:\n    steps:${STEP}`,
      missing: ['publish: packages: write']
    },
    {
      name: "a job's contents: read alone replaces the workflow's packages: write (planted)",
      text: `permissions: { packages: write }\njobs:\n  publish:\n    permissions: { contents: read }\n    steps:${STEP}`,
      missing: ['publish: packages: write']
    },
    {
      name: 'steps alone that push to GHCR (planted)',
      text: STEP.replace(/^ {6}/gm, ''),
      missing: ['steps: packages: write']
    },
    {
      name: "Docker Hub's OIDC login without id-token: write (planted)",
      text: `permissions: { contents: read }\nsteps:\n  - uses: acme/docker-publish-action@v1\n    env: { DOCKERHUB_OIDC_CONNECTIONID: 0b5a4b6e-2f4c-4d1e-9a7b-3c2d1e0f9a8b }\n    with: { images: acme/app, username: acme, password: '' }`,
      missing: ['job: id-token: write']
    },
    {
      name: 'a push with no credentials (planted)',
      text: `permissions: { contents: read, packages: write }\nsteps:\n  - uses: acme/docker-publish-action@v1\n    with: { images: ghcr.io/acme/app }`,
      missing: ['job: no credentials for ghcr.io']
    },
    {
      name: 'a local context with no checkout before it (planted)',
      text: `steps:\n  - uses: acme/docker-publish-action@v1\n    with: { images: acme/app, context: ., push: false }`,
      missing: ['job: no actions/checkout before the context .']
    },
    {
      name: 'a job that says what it needs',
      text: `permissions: { contents: read, packages: write }\nsteps:${STEP.replace(/^ {4}/gm, '')}`,
      missing: []
    }
  ])('the check itself: $name', async ({ text, missing }) => {
    expect(await unmetNeeds(text)).toEqual(missing)
  })
})
