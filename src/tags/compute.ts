import type { RefContext } from '../context/context-types.js'
import { InputError } from '../errors/input-error.js'
import { defaultTags } from './defaults.js'
import { createEnv, renderTemplate, type ExprEnv } from './expressions.js'
import { parseFlavor, type Flavor } from './flavor.js'
import { produce, type Produced, type RuleRun } from './produce.js'
import { refInfo } from './ref-info.js'
import type { Rule } from './rule-types.js'
import { parseRules } from './rules.js'
import { sanitizeTag } from './sanitize.js'
import {
  checkForkNamedTag,
  nameTemplates,
  usesForkValue,
  type ForkSource
} from './fork-values.js'
import type { ReleaseLine, Tag, TagResult } from './tag-types.js'
import { versionAsTag } from './version.js'

/** The raw `tags` and `flavor` input lines, split, blank lines dropped. */
export interface TagInputs {
  tags: string[]
  flavor: string[]
}

/** Ordered, de-duplicated, sanitized tags and the warnings on the way. */
class TagList {
  readonly tags: Tag[] = []
  readonly warnings: string[] = []

  /** The pull request's number, on a pull request: a fork-named tag carries it. */
  private readonly pullRequest: string | undefined

  constructor(private readonly ctx: RefContext) {
    this.pullRequest = refInfo(ctx).pr
  }

  /**
   * Adds a tag (first occurrence wins); false if nothing valid is left. On a pull request, a
   * fork-named tag (SECURITY.md) is refused when protected, checked on the sanitized name as it
   * would be pushed; else it carries the pull request's number for the guards
   * (guards/fork-tags.ts).
   */
  add(
    raw: string,
    { kind, line }: Pick<Tag, 'kind' | 'line'>,
    from: string,
    fork?: ForkSource
  ): boolean {
    const name = sanitizeTag(kind === 'version' ? versionAsTag(raw) : raw)
    if (name === undefined) {
      this.warnings.push(
        `${from}: "${raw}" has no valid tag characters, skipped`
      )
      return false
    }
    if (this.tags.some(tag => tag.name === name)) return true
    const tag: Tag = { name, kind, ...(line && { line }) }
    if (fork !== undefined && this.pullRequest !== undefined) {
      checkForkNamedTag(name, this.ctx, fork)
      tag.pullRequest = this.pullRequest
    }
    this.tags.push(tag)
    return true
  }
}

/**
 * The flavor prefix/suffix rendered for this run; fork: set when either renders a value a pull
 * request's author chooses.
 */
function renderAffixes(flavor: Flavor, env: ExprEnv) {
  const { prefix, suffix } = flavor
  const fork: ForkSource | undefined = usesForkValue([prefix, suffix])
    ? {
        input: 'flavor',
        source: `prefix=${prefix.source},suffix=${suffix.source}`
      }
    : undefined
  return {
    prefix: renderTemplate(prefix, env),
    suffix: renderTemplate(suffix, env),
    fork
  }
}

type Affixes = ReturnType<typeof renderAffixes>

function latestName(flavor: Flavor, affixes: Affixes): string {
  // metadata-action inserts the flavor prefix/suffix into `latest` without
  // rendering {{…}} in them; we render them, as for every other tag.
  const prefix = flavor.prefixLatest ? affixes.prefix : ''
  const suffix = flavor.suffixLatest ? affixes.suffix : ''
  return `${prefix}latest${suffix}`
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
 * A rule's own prefix/suffix (even empty) wins over the flavor's: in
 * metadata-action's code (not its README) the default pr- and sha- count as
 * the rule's own, so they never get the flavor prefix.
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
 * metadata-action decides `latest` from the first rule that gives a tag; release: a stable one
 * only.
 */
function addsLatest(mode: Flavor['latest'], first: Produced): boolean {
  const { autoLatest, release } = first
  const on: Record<Flavor['latest'], boolean> = {
    true: true,
    false: false,
    auto: autoLatest,
    release: autoLatest && release !== undefined
  }
  return on[mode]
}

/**
 * The rule as a fork source when its tag takes a fork-chosen value: its own templates, or the
 * flavor's affixes it takes.
 */
function forkSource(rule: Rule, affixes: Affixes): ForkSource | undefined {
  const takesFlavor = rule.prefix === undefined || rule.suffix === undefined
  const forkNamed =
    usesForkValue(nameTemplates(rule)) ||
    (takesFlavor && affixes.fork !== undefined)
  return forkNamed ? { input: 'tags', source: rule.source } : undefined
}

function fromRules(
  rules: Rule[],
  flavor: Flavor,
  affixes: Affixes,
  env: ExprEnv
): TagList {
  const out = new TagList(env.ctx)
  const run: RuleRun = {
    env,
    ref: refInfo(env.ctx),
    warn: message => out.warnings.push(message)
  }
  let first: Produced | undefined
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
    if (!out.add(name, produced, from, forkSource(rule, affixes))) continue
    first ??= produced
  }
  if (first !== undefined && addsLatest(flavor.latest, first)) {
    const { release } = first
    const line: ReleaseLine | undefined =
      release === undefined ? undefined : { scope: 'latest', version: release }
    out.add(
      latestName(flavor, affixes),
      { kind: 'floating', line },
      'flavor latest',
      affixes.fork
    )
  }
  return out
}

/** SPEC zero-config tags, with the flavor's prefix/suffix and latest= applied. */
function fromDefaults(env: ExprEnv, flavor: Flavor, affixes: Affixes): TagList {
  const out = new TagList(env.ctx)
  const from = 'default tags'
  const { fork } = affixes
  let hasLatest = false
  const latestFrom = flavor.latest === 'release' ? 'release' : 'default-branch'
  for (const tag of defaultTags(env.ctx, latestFrom)) {
    if (tag.name !== 'latest') {
      const name = `${affixes.prefix}${tag.name}${affixes.suffix}`
      out.add(name, tag, from, fork)
    } else if (flavor.latest !== 'false') {
      hasLatest = out.add(latestName(flavor, affixes), tag, from, fork)
    }
  }
  // latest=true means latest on every publish, as in metadata-action.
  if (flavor.latest === 'true' && !hasLatest && out.tags.length > 0) {
    const latest = latestName(flavor, affixes)
    out.add(latest, { kind: 'floating' }, 'flavor latest', fork)
  }
  return out
}

/**
 * The tags of a run: metadata-action rules from `tags` lines, else SPEC §1's
 * defaults; sanitized, de-duplicated. `version` is the first tag, flavor
 * included, as metadata-action's `version` output gives it.
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
      : fromDefaults(env, flavor, affixes)
  return {
    version: out.tags[0]?.name ?? '',
    tags: out.tags,
    warnings: out.warnings
  }
}
