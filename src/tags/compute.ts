import type { RefContext } from '../context/types.js'
import { InputError } from '../errors.js'
import { defaultTags } from './defaults.js'
import {
  compileTemplate,
  createEnv,
  renderTemplate,
  type ExprEnv
} from './expressions.js'
import { parseFlavor, type Flavor } from './flavor.js'
import { produce, type Produced, type RuleRun } from './produce.js'
import { refInfo } from './refs.js'
import type { Rule } from './rule-types.js'
import { parseRules } from './rules.js'
import { sanitizeTag } from './sanitize.js'
import type { ReleaseLine, Tag, TagKind, TagResult } from './types.js'
import { versionAsTag } from './version.js'

/** The raw `tags` and `flavor` input lines, split, blank lines dropped. */
export interface TagInputs {
  tags: string[]
  flavor: string[]
}

/** The flavor prefix/suffix rendered for this run. */
interface Affixes {
  prefix: string
  suffix: string
}

/** Whether `latest` is added, and the release it stands for. */
interface LatestPlan {
  on: boolean
  release?: string
}

/** Ordered, de-duplicated, sanitized tags and the warnings on the way. */
class TagList {
  readonly tags: Tag[] = []
  readonly warnings: string[] = []
  private readonly names = new Set<string>()

  /** Adds a tag (first occurrence wins); false if nothing valid is left. */
  add(
    raw: string,
    kind: TagKind,
    line: ReleaseLine | undefined,
    from: string
  ): boolean {
    const name = sanitizeTag(kind === 'version' ? versionAsTag(raw) : raw)
    if (name === undefined) {
      this.warnings.push(
        `${from}: "${raw}" has no valid tag characters, skipped`
      )
      return false
    }
    if (this.names.has(name)) return true
    this.names.add(name)
    this.tags.push(line === undefined ? { name, kind } : { name, kind, line })
    return true
  }
}

function renderAffixes(flavor: Flavor, env: ExprEnv): Affixes {
  const render = (key: 'prefix' | 'suffix'): string => {
    const line = `${key}=${flavor[key]}`
    return renderTemplate(
      compileTemplate(flavor[key], { input: 'flavor', line }),
      env
    )
  }
  return { prefix: render('prefix'), suffix: render('suffix') }
}

function latestName(flavor: Flavor, affixes: Affixes): string {
  // metadata-action inserts the flavor prefix/suffix into `latest` without
  // rendering {{…}} in them; we render them, as for every other tag.
  const prefix = flavor.prefixLatest ? affixes.prefix : ''
  const suffix = flavor.suffixLatest ? affixes.suffix : ''
  return `${prefix}latest${suffix}`
}

function latestLine(release: string | undefined): ReleaseLine | undefined {
  return release === undefined
    ? undefined
    : { scope: 'latest', version: release }
}

function isEnabled(rule: Rule, env: ExprEnv): boolean {
  const value = renderTemplate(rule.enable, env)
  if (value === 'true' || value === 'false') return value === 'true'
  throw new InputError(
    'tags',
    rule.source,
    `enable must give true or false, but gave "${value}"`
  )
}

/**
 * A rule's own prefix/suffix (even empty) wins over the flavor's. The README
 * calls the flavor prefix "a global prefix for each generated tag", but in
 * metadata-action's code the default pr- and sha- prefixes count as the
 * rule's own, so pr-2 and sha-… never get the flavor prefix; we follow the
 * code.
 */
function withAffixes(
  rule: Rule,
  value: string,
  affixes: Affixes,
  env: ExprEnv
): string {
  const prefix = rule.prefix ? renderTemplate(rule.prefix, env) : affixes.prefix
  const suffix = rule.suffix ? renderTemplate(rule.suffix, env) : affixes.suffix
  return `${prefix}${value}${suffix}`
}

/**
 * metadata-action decides `latest` from the first rule that gives a tag:
 * auto follows that rule (stable semver/pep440, match, ref tag); release is
 * auto restricted to a stable release version.
 */
function decideLatest(mode: Flavor['latest'], produced: Produced): LatestPlan {
  const { autoLatest, release } = produced
  switch (mode) {
    case 'true':
      return { on: true, release }
    case 'false':
      return { on: false }
    case 'auto':
      return { on: autoLatest, release }
    case 'release':
      return { on: autoLatest && release !== undefined, release }
  }
}

function fromRules(
  rules: Rule[],
  flavor: Flavor,
  affixes: Affixes,
  env: ExprEnv
): TagList {
  const out = new TagList()
  const run: RuleRun = {
    env,
    ref: refInfo(env.ctx),
    warn: message => out.warnings.push(message)
  }
  let latest: LatestPlan | undefined
  for (const rule of rules) {
    if (!isEnabled(rule, env)) continue
    const produced = produce(rule, run)
    if (produced === undefined) continue
    const from = `tags rule "${rule.source}"`
    const name = withAffixes(rule, produced.value, affixes, env)
    if (name === '') {
      out.warnings.push(`${from}: gave an empty tag on this run, skipped`)
      continue
    }
    if (!out.add(name, produced.kind, produced.line, from)) continue
    latest ??= decideLatest(flavor.latest, produced)
  }
  if (latest?.on) {
    out.add(
      latestName(flavor, affixes),
      'floating',
      latestLine(latest.release),
      'flavor latest'
    )
  }
  return out
}

/** SPEC zero-config tags, with the flavor's prefix/suffix and latest= applied. */
function fromDefaults(
  ctx: RefContext,
  flavor: Flavor,
  affixes: Affixes
): TagList {
  const out = new TagList()
  const from = 'default tags'
  let hasLatest = false
  const latestFrom = flavor.latest === 'release' ? 'release' : 'default-branch'
  for (const tag of defaultTags(ctx, latestFrom)) {
    if (tag.name !== 'latest') {
      out.add(
        `${affixes.prefix}${tag.name}${affixes.suffix}`,
        tag.kind,
        tag.line,
        from
      )
    } else if (flavor.latest !== 'false') {
      hasLatest = out.add(latestName(flavor, affixes), tag.kind, tag.line, from)
    }
  }
  // latest=true means latest on every publish, as in metadata-action.
  if (flavor.latest === 'true' && !hasLatest && out.tags.length > 0) {
    out.add(latestName(flavor, affixes), 'floating', undefined, 'flavor latest')
  }
  return out
}

/**
 * Computes the tags of a run. With `tags` lines, they are metadata-action
 * rules (see rules.ts); without, the zero-config defaults of SPEC §1. Every
 * tag is sanitized and de-duplicated (first occurrence wins). Pure: `now`
 * is the run's clock reading, for {{date}}.
 *
 * `version` is the first tag, flavor prefix/suffix included, which is what
 * metadata-action's `version` output gives.
 */
export function computeTags(
  ctx: RefContext,
  inputs: TagInputs,
  now: Date
): TagResult {
  const flavor = parseFlavor(inputs.flavor)
  const rules = parseRules(inputs.tags)
  const env = createEnv(ctx, now)
  const affixes = renderAffixes(flavor, env)
  const out =
    rules.length > 0
      ? fromRules(rules, flavor, affixes, env)
      : fromDefaults(ctx, flavor, affixes)
  return {
    version: out.tags[0]?.name ?? '',
    tags: out.tags,
    warnings: out.warnings
  }
}
