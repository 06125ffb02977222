/** A git tag read as a release version, for the zero-config tag rules. */
export interface ReleaseVersion {
  major: number
  minor: number
  /** Absent for a loose X.Y tag (v1.2). */
  patch?: number
  /** Pre-release identifiers without the separator (rc.1, rc1, beta), or ''. */
  prerelease: string
  /** Build metadata without the '+' (build.5), or ''. */
  build: string
  /** True only without pre-release and without build metadata: may float. */
  stable: boolean
  /** The exact version as a tag carries it: no leading v, build '+' as '_'. */
  full: string
}

const NUMBER = '0|[1-9][0-9]*'
const IDENTIFIERS = '[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*'
const ATTACHED = '[A-Za-z][0-9A-Za-z-]*(?:\\.[0-9A-Za-z-]+)*'

/**
 * [v]X.Y[.Z], then a pre-release either after '-' (1.2.3-rc.1, 1.2.3-rc1) or
 * attached when it starts with a letter (1.2.3rc1, PEP 440 style), then
 * optional build metadata after '+'. No leading zeros in X, Y, Z.
 */
const VERSION_PATTERN = new RegExp(
  `^[vV]?(?<core>(?<major>${NUMBER})\\.(?<minor>${NUMBER})` +
    `(?:\\.(?<patch>${NUMBER}))?` +
    `(?:-(?<dashed>${IDENTIFIERS})|(?<attached>${ATTACHED}))?)` +
    `(?:\\+(?<build>${IDENTIFIERS}))?$`
)

/**
 * A version as a tag carries it: build metadata's '+' becomes '_', which a tag may hold
 * (2.0.0+build.5 → 2.0.0_build.5).
 */
export function versionAsTag(version: string): string {
  return version.replace(/\+/g, '_')
}

function toSafeInteger(digits: string): number | undefined {
  const value = Number(digits)
  return Number.isSafeInteger(value) ? value : undefined
}

/** Reads a git tag name as a release version, or undefined if it is none. */
export function parseReleaseVersion(
  tagName: string
): ReleaseVersion | undefined {
  const groups = VERSION_PATTERN.exec(tagName)?.groups
  if (groups?.core === undefined) return undefined
  const major = toSafeInteger(groups.major)
  const minor = toSafeInteger(groups.minor)
  const patch =
    groups.patch === undefined ? undefined : toSafeInteger(groups.patch)
  if (major === undefined || minor === undefined) return undefined
  if (groups.patch !== undefined && patch === undefined) return undefined
  const prerelease = groups.dashed ?? groups.attached ?? ''
  const build = groups.build ?? ''
  const full = versionAsTag(
    build === '' ? groups.core : `${groups.core}+${build}`
  )
  const stable = prerelease === '' && build === ''
  const base = { major, minor, prerelease, build, stable, full }
  return patch === undefined ? base : { ...base, patch }
}

/** X.Y.Z of a version, with a loose X.Y read as X.Y.0 (e.g. 1.2 → 1.2.0). */
export function coreVersion(version: ReleaseVersion): string {
  return `${version.major}.${version.minor}.${version.patch ?? 0}`
}

function compareNumbers<T extends number | bigint | string>(
  a: T,
  b: T
): number {
  if (a === b) return 0
  return a < b ? -1 : 1
}

function compareIdentifier(a: string, b: string): number {
  const aNumeric = /^[0-9]+$/.test(a)
  const bNumeric = /^[0-9]+$/.test(b)
  if (aNumeric && bNumeric) return compareNumbers(BigInt(a), BigInt(b))
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1
  return compareNumbers(a, b)
}

/** Semver precedence of two pre-release strings ('' = none, ranks highest). */
function comparePrerelease(a: string, b: string): number {
  if (a === b) return 0
  if (a === '' || b === '') return a === '' ? 1 : -1
  const left = a.split('.')
  const right = b.split('.')
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const order = compareIdentifier(left[i], right[i])
    if (order !== 0) return order
  }
  return compareNumbers(left.length, right.length)
}

/**
 * Semver precedence: negative when a < b, 0 when equal, positive when a > b. A loose X.Y counts as
 * X.Y.0; build metadata does not count.
 */
export function compareReleaseVersions(
  a: ReleaseVersion,
  b: ReleaseVersion
): number {
  return (
    compareNumbers(a.major, b.major) ||
    compareNumbers(a.minor, b.minor) ||
    compareNumbers(a.patch ?? 0, b.patch ?? 0) ||
    comparePrerelease(a.prerelease, b.prerelease)
  )
}
