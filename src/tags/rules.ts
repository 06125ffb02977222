import { errorMessage, InputError } from '../errors/input-error.js'
import { inputFields, splitAttribute } from '../csv/csv.js'
import { compileTemplate, VERSION_NAMES, type Template } from './expressions.js'
import {
  DEFAULT_PRIORITIES,
  type MatchRule,
  type Rule,
  type RuleBase,
  type RuleType,
  type VersionRule
} from './rule-types.js'

const RULE_TYPES = Object.keys(DEFAULT_PRIORITIES) as RuleType[]
const COMMON_KEYS = ['enable', 'priority', 'prefix', 'suffix']
const TYPE_KEYS: Record<RuleType, string[]> = {
  schedule: ['pattern'],
  semver: ['pattern', 'value', 'match'],
  pep440: ['pattern', 'value', 'match'],
  match: ['pattern', 'group', 'value'],
  edge: ['branch'],
  ref: ['event'],
  raw: ['value'],
  sha: ['format']
}
const REF_EVENTS: readonly string[] = ['branch', 'tag', 'pr']
const SHA_FORMATS: readonly string[] = ['short', 'long']

const QUOTE_HINT = 'quote a field that holds commas'

type Attrs = Map<string, string>

function fail(line: string, why: string): never {
  throw new InputError('tags', line, why)
}

/** type= and the other attributes; a bare field sets value= (raw shorthand). */
function readAttributes(line: string): { type: RuleType; attrs: Attrs } {
  let type: RuleType = 'raw'
  const attrs: Attrs = new Map()
  for (const field of inputFields('tags', line, QUOTE_HINT)) {
    const attr = splitAttribute(field)
    if (attr === undefined) attrs.set('value', field.trim())
    else if (attr.key !== 'type') attrs.set(attr.key, attr.value)
    else
      type =
        RULE_TYPES.find(known => known === attr.value) ??
        fail(line, `unknown type; allowed types: ${RULE_TYPES.join(', ')}`)
  }
  const allowed = [...TYPE_KEYS[type], ...COMMON_KEYS]
  for (const key of attrs.keys()) {
    if (!allowed.includes(key)) {
      const bare = key === 'value' ? ' (a field without "=" sets value=)' : ''
      fail(
        line,
        `unknown attribute "${key}"${bare} for type=${type}; allowed: type, ${allowed.join(', ')}`
      )
    }
  }
  return { type, attrs }
}

function template(line: string, source: string, extra?: string[]): Template {
  return compileTemplate(source, { input: 'tags', line }, extra)
}

function optionalTemplate(
  line: string,
  source: string | undefined
): Template | undefined {
  return source === undefined ? undefined : template(line, source)
}

function required(
  line: string,
  attrs: Attrs,
  key: string,
  example: string
): string {
  return attrs.get(key) ?? fail(line, `missing ${key}=, e.g. ${example}`)
}

function parsePriority(
  line: string,
  type: RuleType,
  raw: string | undefined
): number {
  if (raw === undefined) return DEFAULT_PRIORITIES[type]
  const priority = Number(raw)
  if (raw === '' || !Number.isFinite(priority))
    fail(
      line,
      'priority must be a number, e.g. priority=950 (higher comes first)'
    )
  return priority
}

function parseEnable(line: string, raw = 'true'): Template {
  const enable = template(line, raw)
  const isStatic = enable.nodes.every(node => node.kind === 'text')
  if (isStatic && raw !== 'true' && raw !== 'false')
    fail(
      line,
      'enable must be true or false, or an expression such as {{is_default_branch}}'
    )
  return enable
}

/** A regular expression: /source/flags, or the whole text as the source. */
function parseRegExp(
  line: string,
  key: string,
  raw: string,
  slashForm: boolean
): RegExp {
  const slashed = slashForm ? /^\/(.+)\/(.*)$/.exec(raw) : null
  try {
    return slashed ? new RegExp(slashed[1], slashed[2]) : new RegExp(raw)
  } catch (error) {
    const why = errorMessage(error)
    return fail(line, `${key} must be a valid regular expression (${why})`)
  }
}

function oneOf<T extends string>(
  line: string,
  key: string,
  raw: string,
  values: readonly string[]
): T {
  if (!values.includes(raw))
    fail(line, `${key} must be one of: ${values.join(', ')}`)
  return raw as T
}

function versionRule(
  line: string,
  type: 'semver' | 'pep440',
  attrs: Attrs,
  base: RuleBase
): VersionRule {
  const match = attrs.get('match')
  return {
    ...base,
    type,
    pattern: template(
      line,
      required(line, attrs, 'pattern', `type=${type},pattern={{version}}`),
      VERSION_NAMES
    ),
    value: template(line, attrs.get('value') ?? ''),
    ...(match ? { match: parseRegExp(line, 'match', match, false) } : {})
  }
}

function matchRule(line: string, attrs: Attrs, base: RuleBase): MatchRule {
  const group = attrs.get('group') ?? '0'
  if (!/^[0-9]+$/.test(group))
    fail(line, 'group must be a capture group number, e.g. group=1')
  const pattern = required(
    line,
    attrs,
    'pattern',
    'type=match,pattern=v(.*),group=1'
  )
  return {
    ...base,
    type: 'match',
    pattern: parseRegExp(line, 'pattern', pattern, true),
    group: Number(group),
    value: template(line, attrs.get('value') ?? '')
  }
}

function typedRule(
  line: string,
  type: RuleType,
  attrs: Attrs,
  base: RuleBase
): Rule {
  switch (type) {
    case 'schedule':
      return {
        ...base,
        type,
        pattern: template(line, attrs.get('pattern') ?? 'nightly')
      }
    case 'semver':
    case 'pep440':
      return versionRule(line, type, attrs, base)
    case 'match':
      return matchRule(line, attrs, base)
    case 'edge':
      return { ...base, type, branch: attrs.get('branch') ?? '' }
    case 'ref': {
      const event = required(line, attrs, 'event', 'type=ref,event=branch')
      return { ...base, type, event: oneOf(line, 'event', event, REF_EVENTS) }
    }
    case 'raw':
      return {
        ...base,
        type,
        value: template(
          line,
          required(line, attrs, 'value', 'type=raw,value=stable')
        )
      }
    case 'sha':
      return {
        ...base,
        type,
        format: oneOf(
          line,
          'format',
          attrs.get('format') ?? 'short',
          SHA_FORMATS
        )
      }
  }
}

/** The prefix a type sets by default (metadata-action: pr- and sha-). */
function defaultPrefix(type: RuleType, attrs: Attrs): string | undefined {
  if (type === 'sha') return 'sha-'
  if (type === 'ref' && attrs.get('event') === 'pr') return 'pr-'
  return undefined
}

/** Parses one `tags` line. A line without type= is type=raw,value=<line>. */
export function parseRule(line: string): Rule {
  const { type, attrs } = readAttributes(line)
  const base: RuleBase = {
    source: line,
    enable: parseEnable(line, attrs.get('enable')),
    priority: parsePriority(line, type, attrs.get('priority')),
    prefix: optionalTemplate(
      line,
      attrs.get('prefix') ?? defaultPrefix(type, attrs)
    ),
    suffix: optionalTemplate(line, attrs.get('suffix'))
  }
  return typedRule(line, type, attrs, base)
}

/**
 * Parses the `tags` lines (blank and `#` comment lines skipped) and orders them by priority,
 * highest first; equal priorities keep input order.
 */
export function parseRules(lines: string[]): Rule[] {
  return lines
    .filter(line => line.trim() !== '' && !line.trim().startsWith('#'))
    .map(parseRule)
    .sort((a, b) => b.priority - a.priority)
}
