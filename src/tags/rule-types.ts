import type { Template } from './expressions.js'

/**
 * One line of the `tags` input in metadata-action's syntax, parsed, checked and with its defaults
 * filled in. Rendering happens later, per run.
 */
export type Rule =
  | ScheduleRule
  | VersionRule
  | MatchRule
  | EdgeRule
  | RefRule
  | RawRule
  | ShaRule

export type RuleType = Rule['type']
type RefEvent = 'branch' | 'tag' | 'pr'
type ShaFormat = 'short' | 'long'

export interface RuleBase {
  /** The input line, for messages. */
  source: string
  /** Must render to 'true' or 'false'. Default 'true'. */
  enable: Template
  /** Higher first; ties keep input order. */
  priority: number
  /** The rule's own prefix/suffix; when unset the flavor's applies. */
  prefix?: Template
  suffix?: Template
}

interface ScheduleRule extends RuleBase {
  type: 'schedule'
  /** Default 'nightly'. */
  pattern: Template
}

export interface VersionRule extends RuleBase {
  type: 'semver' | 'pep440'
  /** {{version}} {{major}} {{minor}} {{patch}} {{raw}} and globals. */
  pattern: Template
  /** Used instead of the git tag when its source is non-empty. */
  value: Template
  /** Picks group 1 (else the whole match) out of the tag or value. */
  match?: RegExp
}

export interface MatchRule extends RuleBase {
  type: 'match'
  pattern: RegExp
  /** Default 0 (the whole match). */
  group: number
  value: Template
}

export interface EdgeRule extends RuleBase {
  type: 'edge'
  /** '' (default) means any default branch. */
  branch: string
}

export interface RefRule extends RuleBase {
  type: 'ref'
  event: RefEvent
}

interface RawRule extends RuleBase {
  type: 'raw'
  value: Template
}

interface ShaRule extends RuleBase {
  type: 'sha'
  format: ShaFormat
}

/** metadata-action's default priorities (README "priority attribute"). */
export const DEFAULT_PRIORITIES: Record<RuleType, number> = {
  schedule: 1000,
  semver: 900,
  pep440: 900,
  match: 800,
  edge: 700,
  ref: 600,
  raw: 200,
  sha: 100
}
