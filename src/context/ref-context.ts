import {
  DEFAULT_SHORT_SHA_LENGTH,
  envValue,
  readMetadataEnv,
  type Env
} from './metadata-env.js'
import { serverUrlOf } from './git-source.js'
import {
  BRANCH_PREFIX,
  branchOf,
  hasPullRequestPayload,
  PULL_PREFIX,
  pullNumberOfRef,
  shortBranch,
  TAG_PREFIX
} from './git-refs.js'
import type {
  RefContext,
  RepositoryInfo,
  WorkflowRun,
  ArtifactService,
  AttestationGround
} from './context-types.js'

/**
 * An Actions run's RefContext from GITHUB_* and the payload (pure): a field the payload lacks from
 * the environment, else an Error.
 */
export function refContextFromRunner(
  env: Env,
  payload: unknown,
  defaultBranchInput: string
): RefContext {
  const eventName = envValue(env, 'GITHUB_EVENT_NAME')
  if (eventName === undefined)
    throw new Error(
      'GITHUB_EVENT_NAME is not set: not running in GitHub Actions (run the CLI to publish from ' +
        'a local checkout)'
    )
  const event = isRecord(payload) ? payload : {}
  const pr = hasPullRequestPayload(eventName)
    ? pullRequestInfo(eventName, env, event)
    : undefined
  const ref = pr?.ref ?? eventRef(eventName, env, event)
  // DOCKER_METADATA_* checked here too
  const { prHeadSha, shortShaLength, annotationLevels } = readMetadataEnv(env)
  const headSha =
    pr && prHeadSha ? text(event, 'pull_request', 'head', 'sha') : undefined
  return {
    eventName,
    ref,
    sha: headSha ?? commitSha(eventName, env, event),
    defaultBranches: defaultBranches(
      defaultBranchInput,
      text(event, 'repository', 'default_branch') ??
        (eventName === 'schedule' ? branchOf(ref) : undefined)
    ),
    ...(pr && { prNumber: pr.number }),
    ...optional('prHeadRef', pr?.headRef),
    ...optional('baseRef', pr ? pr.baseRef : tagBaseRef(ref, event)),
    ...optional('commitDate', dateOf(text(event, 'head_commit', 'timestamp'))),
    ...optional('runId', envValue(env, 'GITHUB_RUN_ID')),
    ...optional(
      'shortShaLength',
      shortShaLength === DEFAULT_SHORT_SHA_LENGTH ? undefined : shortShaLength
    ),
    repository: repositoryInfo(env, event),
    ...optional(
      'annotationLevels',
      annotationLevels.join() === 'manifest' ? undefined : annotationLevels
    ),
    ...optional('workflowRun', workflowRun(env, event)),
    ...optional('artifacts', artifactService(env)),
    attestationGround: attestationGround(env, event)
  }
}

/** What GitHub's artifact attestations need of the run, from GITHUB_* and the payload. */
function attestationGround(
  env: Env,
  event: Record<string, unknown>
): AttestationGround {
  const privateFlag = field(event, 'repository', 'private')
  const visibility =
    text(event, 'repository', 'visibility') ??
    (typeof privateFlag === 'boolean'
      ? privateFlag
        ? 'private'
        : 'public'
      : 'unknown')
  return {
    idToken:
      envValue(env, 'ACTIONS_ID_TOKEN_REQUEST_URL') !== undefined &&
      envValue(env, 'ACTIONS_ID_TOKEN_REQUEST_TOKEN') !== undefined,
    visibility,
    organization: text(event, 'repository', 'owner', 'type') === 'Organization',
    serverUrl: serverUrlOf(env),
    apiUrl: (
      envValue(env, 'GITHUB_API_URL') ?? 'https://api.github.com'
    ).replace(/\/+$/, '')
  }
}

/**
 * The runner's artifact service, on github.com, ghe.com or .localhost (@actions/artifact refuses
 * GitHub Enterprise Server).
 */
function artifactService(env: Env): ArtifactService | undefined {
  const token = envValue(env, 'ACTIONS_RUNTIME_TOKEN')
  const results = envValue(env, 'ACTIONS_RESULTS_URL')
  const runId = envValue(env, 'GITHUB_RUN_ID')
  if (token === undefined || results === undefined || runId === undefined)
    return undefined
  try {
    const url = new URL(results).origin
    const server = new URL(serverUrlOf(env)).hostname.toLowerCase()
    if (!/(^github\.com|\.ghe\.com|\.localhost)$/.test(server)) return undefined
    return { url, runId, attempt: envValue(env, 'GITHUB_RUN_ATTEMPT') ?? '1' }
  } catch {
    return undefined
  }
}

/** The run as build-push-action's default provenance sees it (docker/actions-toolkit). */
function workflowRun(
  env: Env,
  event: Record<string, unknown>
): WorkflowRun | undefined {
  const id = envValue(env, 'GITHUB_RUN_ID')
  const repository = envValue(env, 'GITHUB_REPOSITORY')
  if (id === undefined || repository === undefined) return undefined
  const attempt = envValue(env, 'GITHUB_RUN_ATTEMPT') ?? '1'
  return {
    url: `${serverUrlOf(env)}/${repository}/actions/runs/${id}/attempts/${attempt}`,
    privateRepository: field(event, 'repository', 'private') === true,
    noDefaultAttestations: /^(1|t|true)$/i.test(
      envValue(env, 'BUILDX_NO_DEFAULT_ATTESTATIONS') ?? ''
    )
  }
}

/**
 * The default branches: the input (refs/heads/ accepted), else the detected branch, else master and
 * main.
 */
export function defaultBranches(input: string, detected?: string): string[] {
  const given = shortBranch(input.trim())
  if (given !== '') return [given]
  if (detected !== undefined && detected !== '') return [detected]
  return ['master', 'main']
}

function pullRequestInfo(
  eventName: string,
  env: Env,
  event: Record<string, unknown>
) {
  const envRef = envValue(env, 'GITHUB_REF')
  const number =
    positiveInt(field(event, 'pull_request', 'number')) ??
    positiveInt(field(event, 'number')) ??
    positiveInt(pullNumberOfRef(envRef ?? ''))
  if (number === undefined)
    throw new Error(
      `${eventName} event without a pull request number: the event payload has neither ` +
        `pull_request.number nor number, and GITHUB_REF ${JSON.stringify(envRef ?? '')} is not ` +
        `refs/pull/<number>/...`
    )
  return {
    // pull_request_target runs on the base branch's ref: no consumer may see a push to it
    ref:
      envRef?.startsWith(PULL_PREFIX) === true
        ? envRef
        : `${PULL_PREFIX}${number}/merge`,
    number,
    headRef:
      text(event, 'pull_request', 'head', 'ref') ??
      envValue(env, 'GITHUB_HEAD_REF'),
    baseRef:
      text(event, 'pull_request', 'base', 'ref') ??
      envValue(env, 'GITHUB_BASE_REF')
  }
}

/** The full git ref of a non pull request event. */
function eventRef(
  eventName: string,
  env: Env,
  event: Record<string, unknown>
): string {
  const envRef = envValue(env, 'GITHUB_REF')
  if (envRef !== undefined && !envRef.startsWith('refs/'))
    throw new Error(
      `GITHUB_REF ${JSON.stringify(envRef)} is not a full git ref (refs/heads/..., refs/tags/...)`
    )
  const pushed = text(event, 'ref')
  const ref =
    payloadRef(eventName, event) ??
    envRef ??
    (pushed?.startsWith('refs/') === true ? pushed : undefined)
  if (ref === undefined)
    throw new Error(
      `cannot tell the git ref of this ${eventName} event: GITHUB_REF is not set and the event ` +
        `payload does not name the ref`
    )
  return ref
}

/** Events whose payload names the ref more precisely than GITHUB_REF. */
function payloadRef(
  eventName: string,
  event: Record<string, unknown>
): string | undefined {
  if (eventName === 'release') {
    const tag = text(event, 'release', 'tag_name')
    return tag === undefined ? undefined : `${TAG_PREFIX}${tag}`
  }
  if (eventName === 'create') {
    const name = text(event, 'ref')
    const type = text(event, 'ref_type')
    if (name === undefined) return undefined
    if (type === 'tag') return `${TAG_PREFIX}${name}`
    if (type === 'branch') return `${BRANCH_PREFIX}${name}`
  }
  return undefined
}

function commitSha(
  eventName: string,
  env: Env,
  event: Record<string, unknown>
): string {
  const sha =
    envValue(env, 'GITHUB_SHA') ??
    text(event, 'head_commit', 'id') ??
    text(event, 'pull_request', 'head', 'sha')
  if (sha === undefined)
    throw new Error(
      `cannot tell the commit of this ${eventName} event: GITHUB_SHA is not set and the event ` +
        `payload has no head commit`
    )
  return sha
}

/** A pushed tag's base branch, as the push payload tells it (base_ref). */
function tagBaseRef(
  ref: string,
  event: Record<string, unknown>
): string | undefined {
  if (!ref.startsWith(TAG_PREFIX)) return undefined
  const baseRef = text(event, 'base_ref')
  return baseRef === undefined ? undefined : shortBranch(baseRef)
}

/** A commit's date from its timestamp, when it reads as one. */
export function dateOf(timestamp: string | undefined): Date | undefined {
  const date = new Date(timestamp ?? NaN)
  return Number.isNaN(date.getTime()) ? undefined : date
}

function repositoryInfo(
  env: Env,
  event: Record<string, unknown>
): RepositoryInfo {
  const envName = envValue(env, 'GITHUB_REPOSITORY')
  const fullName = text(event, 'repository', 'full_name') ?? envName
  if (fullName === undefined)
    throw new Error(
      'cannot tell the repository: GITHUB_REPOSITORY is not set and the event payload has no ' +
        'repository.full_name'
    )
  const license = text(event, 'repository', 'license', 'spdx_id')
  const htmlUrl = `${serverUrlOf(env)}/${fullName}`
  return {
    fullName,
    htmlUrl: text(event, 'repository', 'html_url') ?? htmlUrl,
    ...optional('description', text(event, 'repository', 'description')),
    // GitHub reports a license it cannot identify as NOASSERTION: no label.
    ...optional('license', license === 'NOASSERTION' ? undefined : license)
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function field(value: unknown, ...path: string[]): unknown {
  let current = value
  for (const key of path) {
    if (!isRecord(current)) return undefined
    current = current[key]
  }
  return current
}

/** A non-empty string at that path of the payload, else undefined. */
function text(value: unknown, ...path: string[]): string | undefined {
  const found = field(value, ...path)
  return typeof found === 'string' && found.trim() !== '' ? found : undefined
}

function positiveInt(value: unknown): number | undefined {
  const number =
    typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value
  return Number.isSafeInteger(number) && Number(number) > 0
    ? Number(number)
    : undefined
}

/** `{ key: value }` when value is defined, else nothing (exactOptional-friendly). */
function optional<K extends string, V>(
  key: K,
  value: V | undefined
): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V }
}
