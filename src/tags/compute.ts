import type { RefContext } from '../context/context-types.js'
import { InputError } from '../errors/input-error.js'
import { defaultTags } from './defaults.js'
import {
  compileTemplate,
  createEnv,
  renderTemplate,
  type ExprEnv
} from './expressions.js'
import { parseFlavor, type Flavor } from './flavor.js'
import { produce, type Produced, type RuleRun } from './produce.js'
import { refInfo } from './ref-info.js'
import type { Rule } from './rule-types.js'
import { parseRules } from './rules.js'
import { sanitizeTag } from './sanitize.js'
import {
  checkForkNamedTag,
  nameTemplates,
  usesForkValue
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

  /** Adds a tag (first occurrence wins); false if nothing valid is left. */
  add(
    raw: string,
    { kind, line }: Pick<Tag, 'kind' | 'line'>,
    from: string
  ): boolean {
    const name = sanitizeTag(kind === 'version' ? versionAsTag(raw) : raw)
    if (name === undefined) {
      this.warnings.push(
        `${from}: "${raw}" has no valid tag characters, skipped`
      )
      return false
    }
    if (this.tags.some(tag => tag.name === name)) return true
    this.tags.push({ name, kind, ...(line && { line }) })
    return true
  }
}

/**
 * The flavor prefix/suffix rendered for this run; forkValued: either renders a value a pull
 * request's author chooses.
 */
function renderAffixes(flavor: Flavor, env: ExprEnv) {
  const compile = (key: 'prefix' | 'suffix') =>
    compileTemplate(flavor[key], {
      input: 'flavor',
      line: `${key}=${flavor[key]}`
    })
  const prefix = compile('prefix')
  const suffix = compile('suffix')
  return {
    prefix: renderTemplate(prefix, env),
    suffix: renderTemplate(suffix, env),
    forkValued: usesForkValue([prefix, suffix])
  }
}

type Affixes = ReturnType<typeof renderAffixes>

/**
 * A pull request's fork-named tags (SECURITY.md): refused when protected,
 * checked on the sanitized names as they would be pushed; the others carry
 * the pull request's number for the guards (guards/fork-tags.ts).
 */
function checkForkNamed(
  out: TagList,
  from: number,
  env: ExprEnv,
  input: 'tags' | 'flavor',
  source: string
): void {
  const { pr } = refInfo(env.ctx)
  if (pr === undefined) return
  for (const tag of out.tags.slice(from)) {
    checkForkNamedTag(tag.name, env.ctx, input, source)
    tag.pullRequest = pr
  }
}

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
 * Whether a rule's tag takes a fork-chosen value: its own templates, or the flavor's affixes it
 * takes.
 */
function isForkNamed(rule: Rule, affixes: Affixes): boolean {
  const takesFlavor = rule.prefix === undefined || rule.suffix === undefined
  return (
    usesForkValue(nameTemplates(rule)) || (takesFlavor && affixes.forkValued)
  )
}

function flavorSource(flavor: Flavor): string {
  return `prefix=${flavor.prefix},suffix=${flavor.suffix}`
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
    const before = out.tags.length
    if (!out.add(name, produced, from)) continue
    if (isForkNamed(rule, affixes))
      checkForkNamed(out, before, env, 'tags', rule.source)
    first ??= produced
  }
  if (first !== undefined && addsLatest(flavor.latest, first)) {
    const { release } = first
    const line: ReleaseLine | undefined =
      release === undefined ? undefined : { scope: 'latest', version: release }
    const before = out.tags.length
    out.add(
      latestName(flavor, affixes),
      { kind: 'floating', line },
      'flavor latest'
    )
    if (affixes.forkValued)
      checkForkNamed(out, before, env, 'flavor', flavorSource(flavor))
  }
  return out
}

/** SPEC zero-config tags, with the flavor's prefix/suffix and latest= applied. */
function fromDefaults(env: ExprEnv, flavor: Flavor, affixes: Affixes): TagList {
  const { ctx } = env
  const out = new TagList()
  const from = 'default tags'
  let hasLatest = false
  const latestFrom = flavor.latest === 'release' ? 'release' : 'default-branch'
  for (const tag of defaultTags(ctx, latestFrom)) {
    if (tag.name !== 'latest') {
      out.add(`${affixes.prefix}${tag.name}${affixes.suffix}`, tag, from)
    } else if (flavor.latest !== 'false') {
      hasLatest = out.add(latestName(flavor, affixes), tag, from)
    }
  }
  // latest=true means latest on every publish, as in metadata-action.
  if (flavor.latest === 'true' && !hasLatest && out.tags.length > 0)
    out.add(latestName(flavor, affixes), { kind: 'floating' }, 'flavor latest')
  if (affixes.forkValued)
    checkForkNamed(out, 0, env, 'flavor', flavorSource(flavor))
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
