/**
 * docker/metadata-action's DOCKER_METADATA_* switches, read once from the environment passed in.
 */
/** The environment variables a run reads (process.env, or a test's). */
export type Env = Record<string, string | undefined>

/** An environment variable, trimmed, with the runner's empty values read as unset. */
export function envValue(env: Env, name: string): string | undefined {
  const value = env[name]?.trim()
  return value === undefined || value === '' ? undefined : value
}

export interface MetadataEnv {
  /** DOCKER_METADATA_ANNOTATIONS_LEVELS: each annotation output line is given once per level. */
  annotationLevels: string[]
  /** DOCKER_METADATA_SET_OUTPUT_ENV: also export DOCKER_METADATA_OUTPUT_* (default true). */
  setOutputEnv: boolean
  /** DOCKER_METADATA_SHORT_SHA_LENGTH: length of {{sha}} and type=sha,format=short (default 7). */
  shortShaLength: number
  /** DOCKER_METADATA_PR_HEAD_SHA: on PR events the commit is the PR head, not the merge commit. */
  prHeadSha: boolean
}

export const DEFAULT_SHORT_SHA_LENGTH = 7

const TRUE_WORDS = ['1', 't', 'T', 'true', 'TRUE', 'True']
const FALSE_WORDS = ['0', 'f', 'F', 'false', 'FALSE', 'False']

function envError(name: string, value: string, allowed: string): Error {
  return new Error(
    `environment variable ${name}: invalid value ${JSON.stringify(value)}: ${allowed}`
  )
}

/** metadata-action parses this one like Go's strconv.ParseBool. */
function setOutputEnv(env: Env): boolean {
  const name = 'DOCKER_METADATA_SET_OUTPUT_ENV'
  const value = env[name] ?? ''
  if (value === '' || TRUE_WORDS.includes(value)) return true
  if (FALSE_WORDS.includes(value)) return false
  throw envError(
    name,
    value,
    `expected one of ${[...TRUE_WORDS, ...FALSE_WORDS].join(', ')}`
  )
}

function shortShaLength(env: Env): number {
  const name = 'DOCKER_METADATA_SHORT_SHA_LENGTH'
  const value = envValue(env, name)
  if (value === undefined) return DEFAULT_SHORT_SHA_LENGTH
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw envError(name, value, 'expected a whole number of at least 1')
  return Number(value)
}

export function readMetadataEnv(env: Env): MetadataEnv {
  // a plain list, split at commas as metadata-action splits it (no quoting)
  const levels = (env.DOCKER_METADATA_ANNOTATIONS_LEVELS ?? '')
    .split(',')
    .map(level => level.trim())
    .filter(level => level !== '')
  return {
    annotationLevels: levels.length > 0 ? levels : ['manifest'],
    setOutputEnv: setOutputEnv(env),
    shortShaLength: shortShaLength(env),
    // metadata-action turns it on when the value contains "true", any case
    prHeadSha: /true/i.test(env.DOCKER_METADATA_PR_HEAD_SHA ?? '')
  }
}

/** A build-push-action report switch (DOCKER_BUILD_SUMMARY, …) set to false, 0 or f. */
export function turnedOff(name: string, env: Env): boolean {
  return /^(false|0|f)$/i.test(env[name]?.trim() ?? '')
}
