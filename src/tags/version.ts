// a function subpath: the semver index also builds every range regex at start-up
import compareSemver from 'semver/functions/compare.js'

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

/** Reads a git tag name as a release version, or undefined if it is none. */
export function parseReleaseVersion(
  tagName: string
): ReleaseVersion | undefined {
  const groups = VERSION_PATTERN.exec(tagName)?.groups
  if (groups?.core === undefined) return undefined
  const [major, minor, patch] = [
    groups.major,
    groups.minor,
    groups.patch ?? '0'
  ].map(Number)
  // a part beyond the safe integers is no number a release can be ordered by
  if (![major, minor, patch].every(Number.isSafeInteger)) return undefined
  const prerelease = groups.dashed ?? groups.attached ?? ''
  const build = groups.build ?? ''
  const full = versionAsTag(
    build === '' ? groups.core : `${groups.core}+${build}`
  )
  const stable = prerelease === '' && build === ''
  const base = { major, minor, prerelease, build, stable, full }
  return groups.patch === undefined ? base : { ...base, patch }
}

/** X.Y.Z of a version, with a loose X.Y read as X.Y.0 (e.g. 1.2 → 1.2.0). */
export function coreVersion(version: ReleaseVersion): string {
  return `${version.major}.${version.minor}.${version.patch ?? 0}`
}

/** The version as semver reads it: X.Y.Z, the pre-release after '-', no build metadata. */
function semverText(version: ReleaseVersion): string {
  const { prerelease } = version
  return prerelease === ''
    ? coreVersion(version)
    : `${coreVersion(version)}-${prerelease}`
}

/**
 * Semver precedence: negative when a < b, 0 when equal, positive when a > b. A loose X.Y counts as
 * X.Y.0; build metadata does not count. Loose: a numeric pre-release identifier may have a
 * leading zero (rc.01), as parseReleaseVersion accepts.
 */
export function compareReleaseVersions(
  a: ReleaseVersion,
  b: ReleaseVersion
): number {
  return compareSemver(semverText(a), semverText(b), true)
}
