// metadata-action's PEP 440 library; its index also loads specifiers and operators
import { explain } from '@renovatebot/pep440/lib/version.js'
// the function subpaths: the semver index also builds every range regex at start-up
import parseSemver from 'semver/functions/parse.js'
import {
  isSingleVariable,
  renderTemplate,
  templateNames,
  type ExprEnv,
  type Template
} from './expressions.js'
import { shortSha, type RefInfo } from './ref-info.js'
import type {
  EdgeRule,
  MatchRule,
  RefRule,
  Rule,
  VersionRule
} from './rule-types.js'
import type { ReleaseLine, TagKind } from './tag-types.js'
import { coreVersion, parseReleaseVersion } from './version.js'

/** The one tag value a rule gives on this run, before prefix/suffix. */
export interface Produced {
  value: string
  kind: TagKind
  line?: ReleaseLine
  /** Whether flavor latest=auto adds `latest` when this rule comes first. */
  autoLatest: boolean
  /** The stable X.Y.Z release behind the value, if any. */
  release?: string
}

/** What rules read on one run, and where they report skipped values. */
export interface RuleRun {
  env: ExprEnv
  ref: RefInfo
  warn(message: string): void
}

type VersionVars = Record<
  'raw' | 'version' | 'major' | 'minor' | 'patch',
  string
>
type KindAndLine = Pick<Produced, 'kind' | 'line'>

/**
 * How a stable version's pattern behaves: the full version ({{version}},
 * {{raw}} or all three parts) is a version tag; {{major}}.{{minor}} follows a
 * minor line and {{major}} alone a major line; anything else floats freely.
 */
function patternKind(pattern: Template, release?: string): KindAndLine {
  const names = templateNames(pattern)
  const [major, minor, patch] = ['major', 'minor', 'patch'].map(n =>
    names.has(n)
  )
  if (names.has('version') || names.has('raw') || (major && minor && patch))
    return { kind: 'version' }
  if (!major || patch || release === undefined) return { kind: 'floating' }
  return {
    kind: 'floating',
    line: { scope: minor ? 'minor' : 'major', version: release }
  }
}

/** The value= when given, else the git tag; undefined: the rule does not apply. */
function versionInput(
  rule: { value: Template },
  run: RuleRun
): string | undefined {
  if (rule.value.source !== '') return renderTemplate(rule.value, run.env)
  return run.ref.tag
}

/**
 * The version a semver/pep440 rule reads (undefined: the rule does not apply); with match=: group
 * 1, or the whole match without groups. As in metadata-action's code, a value that does not match
 * is used whole (and then usually fails the version check).
 */
function versionCandidate(rule: VersionRule, run: RuleRun): string | undefined {
  const input = versionInput(rule, run)
  if (input === undefined) return undefined
  let candidate = input
  if (rule.match !== undefined) {
    const m = new RegExp(rule.match).exec(input)
    if (m === null) {
      run.warn(
        `tags rule "${rule.source}": match=${rule.match.source} does not match "${input}"`
      )
    } else candidate = m[1] ?? m[0]
  }
  return candidate.replace(/\//g, '-')
}

/**
 * A version rule's candidate read: the pattern's variables, whether it may float (no pre-release),
 * and the X.Y.Z release a line compares by; undefined when it is no version of the rule's kind.
 */
interface VersionReading {
  vars: VersionVars
  stable: boolean
  release?: string
}

function readSemver(candidate: string): VersionReading | undefined {
  // strict, as metadata-action's semver.valid() (a leading v is strict semver too)
  const parsed = parseSemver(candidate)
  if (parsed === null) return undefined
  return {
    vars: {
      raw: parsed.raw,
      version: parsed.version,
      major: String(parsed.major),
      minor: String(parsed.minor),
      patch: String(parsed.patch)
    },
    stable: parsed.prerelease.length === 0,
    release: parsed.version
  }
}

function readPep440(candidate: string): VersionReading | undefined {
  const parsed = explain(candidate)
  if (parsed === null) return undefined
  // not its clean(): v4 joins a local label's parts with commas (1.2.3+abc,7)
  const clean = parsed.local
    ? `${parsed.public}+${parsed.local}`
    : parsed.public
  const [major, minor = 0, patch = 0] = parsed.release
  // Only a plain X[.Y[.Z]] release maps onto a comparable X.Y.Z line.
  const mappable = parsed.epoch === 0 && parsed.release.length <= 3
  return {
    vars: {
      raw: candidate,
      version: clean,
      major: `${major}`,
      minor: `${minor}`,
      patch: `${patch}`
    },
    // metadata-action never floats pre-, post- and dev-releases
    stable: !parsed.is_prerelease && !parsed.is_postrelease,
    release: mappable ? `${major}.${minor}.${patch}` : undefined
  }
}

const VERSION_KINDS = {
  semver: {
    read: readSemver,
    is: 'a valid semver version (https://semver.org)'
  },
  pep440: {
    read: readPep440,
    is: 'a PEP 440 version (https://peps.python.org/pep-0440/)'
  }
}

function produceVersion(rule: VersionRule, run: RuleRun): Produced | undefined {
  const candidate = versionCandidate(rule, run)
  if (candidate === undefined) return undefined
  const kind = VERSION_KINDS[rule.type]
  const reading = kind.read(candidate)
  if (reading === undefined) {
    run.warn(
      `tags rule "${rule.source}": "${candidate}" is not ${kind.is}, skipped`
    )
    return undefined
  }
  const { vars, release } = reading
  if (!reading.stable) {
    // Pre-releases only ever get their exact version (or {{raw}}). {{raw}}
    // keeps the v (v2.0.8-beta.67): older READMEs showed it without, the
    // code (and the current README) keep it.
    const raw = isSingleVariable(rule.pattern, 'raw')
    return noLatest(raw ? vars.raw : vars.version, 'version')
  }
  return {
    value: renderTemplate(rule.pattern, run.env, vars),
    ...patternKind(rule.pattern, release),
    autoLatest: true,
    release
  }
}

/** A value that reads as a version: 'version' kind if full X.Y.Z, and its release. */
function asVersion(
  value: string,
  fullOnly: boolean
): Pick<Produced, 'kind' | 'release'> {
  const parsed = parseReleaseVersion(value)
  if (parsed === undefined || (fullOnly && parsed.patch === undefined))
    return { kind: 'fixed' }
  return {
    kind: 'version',
    release: parsed.stable ? coreVersion(parsed) : undefined
  }
}

function produceMatch(rule: MatchRule, run: RuleRun): Produced | undefined {
  const input = versionInput(rule, run)
  if (input === undefined) return undefined
  // Matched against the tag as is, '/' included (p1/v1.2.3 needs p1/v…):
  // older READMEs showed p1-v…, the current code never replaces '/'.
  const m = new RegExp(rule.pattern).exec(input)
  if (m === null) {
    run.warn(
      `tags rule "${rule.source}": pattern does not match "${input}", skipped`
    )
    return undefined
  }
  const value = m[rule.group]
  if (value === undefined) {
    run.warn(
      `tags rule "${rule.source}": group ${rule.group} did not capture anything in "${input}", ` +
        `skipped`
    )
    return undefined
  }
  // metadata-action adds latest for any match; the kind is ours: a full
  // X.Y.Z (with or without pre-release) is a version, anything else fixed.
  return { value, ...asVersion(value, true), autoLatest: true }
}

/** A value that never adds `latest` under flavor latest=auto. */
const noLatest = (value: string, kind: TagKind = 'floating'): Produced => ({
  value,
  kind,
  autoLatest: false
})

function produceRef(rule: RefRule, ref: RefInfo): Produced | undefined {
  const value = ref[rule.event]
  if (value === undefined) return undefined
  return rule.event === 'tag'
    ? { value, ...asVersion(value, false), autoLatest: true }
    : noLatest(value)
}

function produceEdge(rule: EdgeRule, run: RuleRun): Produced | undefined {
  const branch = run.ref.branch
  if (branch === undefined) return undefined
  const onTarget =
    rule.branch === ''
      ? run.env.ctx.defaultBranches.includes(branch)
      : rule.branch === branch
  return onTarget ? noLatest('edge') : undefined
}

/** The rule's value on this run, or undefined when it does not apply. */
export function produce(rule: Rule, run: RuleRun): Produced | undefined {
  const { ctx } = run.env
  switch (rule.type) {
    case 'schedule':
      if (!/schedule/.test(ctx.eventName)) return undefined
      return noLatest(renderTemplate(rule.pattern, run.env))
    case 'semver':
    case 'pep440':
      return produceVersion(rule, run)
    case 'match':
      return produceMatch(rule, run)
    case 'ref':
      return produceRef(rule, run.ref)
    case 'edge':
      return produceEdge(rule, run)
    case 'raw': {
      const value = renderTemplate(rule.value, run.env)
      // A raw `latest` (e.g. enable={{is_default_branch}}) moves like latest.
      return noLatest(value, value === 'latest' ? 'floating' : 'fixed')
    }
    case 'sha':
      if (ctx.sha === '') return undefined
      return noLatest(
        rule.format === 'short' ? shortSha(ctx) : ctx.sha,
        'fixed'
      )
  }
}
