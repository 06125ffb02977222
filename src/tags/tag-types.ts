/**
 * How a tag behaves once pushed:
 * - version: a full release version (1.2.3, 2.0.0-rc.1): immutable once published
 * - floating: moves with each publish (latest, 1, 1.2, branch, pr-42, nightly, edge)
 * - fixed: any other exact tag (sha-1a2b3c4, a raw value)
 */
export type TagKind = 'version' | 'floating' | 'fixed'

/** For a tag that follows a release line: which line, and the release it points at. */
export interface ReleaseLine {
  scope: 'major' | 'minor' | 'latest'
  /** The stable version this publish would point the tag at, e.g. 1.4.5 */
  version: string
}

export interface Tag {
  /** The docker tag, already valid against the tag grammar. */
  name: string
  kind: TagKind
  /** Set on tags that float along a release line (X, X.Y, latest from a release). */
  line?: ReleaseLine
  /**
   * Set on a pull request run's tag whose name took a value the pull
   * request's author chooses ({{branch}}, {{base_ref}}): that pull request's
   * number. See guards/fork-tags.ts.
   */
  pullRequest?: string
}

export interface TagResult {
  /** The main version (metadata-action's `version` output): the first tag, flavor applied. */
  version: string
  /** Ordered, de-duplicated tags (flavor prefix/suffix applied). */
  tags: Tag[]
  /** Values that sanitized to nothing or rules that were skipped, for warnings. */
  warnings: string[]
}
