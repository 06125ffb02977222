import type { RefContext } from '../context/context-types.js'
import { InputError } from '../errors/input-error.js'
import { formatDate, isValidTimeZone } from './datefmt.js'
import { shortBranch } from '../context/git-refs.js'
import { refInfo, shortSha } from './ref-info.js'

/**
 * metadata-action's Handlebars expressions, parsed once and checked up front:
 * `{{name}}`, `{{date 'fmt' tz='Zone'}}`, `{{commit_date …}}`. Unlike
 * Handlebars, an unknown name is an input error. An unquoted date format is
 * to Handlebars a name that resolves to nothing, so moment's ISO default
 * applies (`2020-01-10T00:30:00Z`), as in metadata-action.
 */
type TemplateNode =
  | { kind: 'text'; text: string }
  | { kind: 'var'; name: string }
  | {
      kind: 'date'
      helper: DateHelper
      /** undefined: the format was unquoted, moment's ISO default applies. */
      format?: string
      timeZone: string
    }

type DateHelper = 'date' | 'commit_date'

export interface Template {
  source: string
  nodes: TemplateNode[]
}

/** Variables every template may use (global expressions). */
const GLOBAL_NAMES = [
  'branch',
  'tag',
  'sha',
  'base_ref',
  'is_default_branch',
  'is_not_default_branch'
] as const

/** Extra variables of a type=semver / type=pep440 pattern. */
export const VERSION_NAMES = ['version', 'major', 'minor', 'patch', 'raw']

/** Where a template comes from, for the error message. */
export interface TemplateSource {
  input: string
  line: string
}

/** Everything rendering needs: the run and the clock, read once. */
export interface ExprEnv {
  ctx: RefContext
  now: Date
  globals: Record<string, string>
}

/** A hash option, a quoted string, or an unquoted word (a Handlebars name). */
const TOKEN =
  /\s*(?:([A-Za-z_]\w*)\s*=\s*(?:'([^']*)'|"([^"]*)")|'([^']*)'|"([^"]*)"|([^\s'"=]+))\s*/y

type Token =
  | { kind: 'word'; text: string }
  | { kind: 'string'; text: string }
  | { kind: 'hash'; key: string; text: string }

function tokenize(inner: string): Token[] | undefined {
  const tokens: Token[] = []
  TOKEN.lastIndex = 0
  while (TOKEN.lastIndex < inner.length) {
    const m = TOKEN.exec(inner)
    if (m === null) return undefined
    if (m[1] !== undefined) {
      tokens.push({ kind: 'hash', key: m[1], text: m[2] ?? m[3] })
    } else if (m[6] !== undefined) tokens.push({ kind: 'word', text: m[6] })
    else tokens.push({ kind: 'string', text: m[4] ?? m[5] })
  }
  return tokens
}

/** How to write a literal {{, said where a {{ was not understood. */
const LITERAL_BRACES = 'write \\{{ for a literal {{'

function allowedText(allowed: readonly string[]): string {
  const names = allowed.map(name => `{{${name}}}`)
  return [...names, "{{date 'format' tz='Zone'}}", "{{commit_date 'format'}}"]
    .join(', ')
    .concat(
      ` (date formats use moment.js tokens, e.g. YYYYMMDD); ${LITERAL_BRACES}`
    )
}

function dateNode(
  helper: DateHelper,
  args: Token[],
  fail: (why: string) => never
): TemplateNode {
  const [format, ...hash] = args
  if (format === undefined || format.kind === 'hash')
    fail(`{{${helper}}} needs a quoted format, e.g. {{${helper} 'YYYYMMDD'}}`)
  let timeZone = 'UTC'
  for (const option of hash) {
    if (option.kind !== 'hash' || option.key !== 'tz') {
      fail(`{{${helper}}} takes one format and an optional tz='Zone'`)
    }
    if (!isValidTimeZone(option.text)) {
      fail(`unknown time zone "${option.text}"; use an IANA name`)
    }
    timeZone = option.text
  }
  // an unquoted word is no format in metadata-action (it renders ISO 8601)
  const text = format.kind === 'string' ? format.text : undefined
  return { kind: 'date', helper, format: text, timeZone }
}

function expressionNode(
  inner: string,
  allowed: readonly string[],
  fail: (why: string) => never
): TemplateNode {
  const tokens = tokenize(inner)
  const [head, ...args] = tokens ?? []
  const unknown = `unknown expression {{${inner}}}; allowed: ${allowedText(allowed)}`
  if (head?.kind !== 'word') fail(unknown)
  if (head.text === 'date' || head.text === 'commit_date')
    return dateNode(head.text, args, fail)
  if (args.length > 0 || !allowed.includes(head.text)) fail(unknown)
  return { kind: 'var', name: head.text }
}

/** Parses and checks a template; `extra` names variables allowed besides the globals. */
export function compileTemplate(
  source: string,
  from: TemplateSource,
  extra: readonly string[] = []
): Template {
  const allowed = [...GLOBAL_NAMES, ...extra]
  const fail = (why: string): never => {
    throw new InputError(from.input, from.line, why)
  }
  const nodes: TemplateNode[] = []
  let text = ''
  let rest = source
  while (rest !== '') {
    const open = rest.indexOf('{{')
    if (open < 0) break
    // Handlebars' escape: \{{ is a literal {{ (its }} is then plain text too)
    if (rest[open - 1] === '\\') {
      text += `${rest.slice(0, open - 1)}{{`
      rest = rest.slice(open + 2)
      continue
    }
    const close = rest.indexOf('}}', open + 2)
    if (close < 0)
      fail(`"{{" without a closing "}}" in ${source}; ${LITERAL_BRACES}`)
    text += rest.slice(0, open)
    if (text !== '') nodes.push({ kind: 'text', text })
    text = ''
    nodes.push(expressionNode(rest.slice(open + 2, close), allowed, fail))
    rest = rest.slice(close + 2)
  }
  text += rest
  if (text !== '') nodes.push({ kind: 'text', text })
  return { source, nodes }
}

/** Names of the variables a template uses. */
export function templateNames(template: Template): Set<string> {
  return new Set(
    template.nodes.flatMap(node => (node.kind === 'var' ? [node.name] : []))
  )
}

/** True when the template is exactly one `{{name}}` and nothing else. */
export function isSingleVariable(template: Template, name: string): boolean {
  const [only, ...rest] = template.nodes
  return rest.length === 0 && only?.kind === 'var' && only.name === name
}

/**
 * metadata-action's is_default_branch: the ref's branch is a default branch,
 * or the event always runs on the default branch's last commit (its code
 * matches create, discussion, issues and schedule events by name).
 */
function isDefaultBranch(ctx: RefContext, branch: string | undefined): boolean {
  if (branch !== undefined && ctx.defaultBranches.includes(branch)) return true
  return /create|discussion|issues|schedule/.test(ctx.eventName)
}

/** The rendering environment of one run; `now` is the run's clock reading. */
export function createEnv(ctx: RefContext, now: Date): ExprEnv {
  const ref = refInfo(ctx)
  const isDefault = isDefaultBranch(ctx, ref.branch)
  const hasBase = ref.tag !== undefined || ref.pr !== undefined
  const globals = {
    // Unsanitized (my/branch), as metadata-action's code gives it; its README
    // shows my-branch because the tag is sanitized afterwards. Deliberate
    // improvement: metadata-action gives '' on PR events, we the head branch.
    branch: ref.branch ?? (ref.pr !== undefined ? (ctx.prHeadRef ?? '') : ''),
    tag: ref.tag ?? '',
    sha: shortSha(ctx),
    base_ref: hasBase && ctx.baseRef ? shortBranch(ctx.baseRef) : '',
    is_default_branch: String(isDefault),
    is_not_default_branch: String(!isDefault)
  }
  return { ctx, now, globals }
}

/** Renders a compiled template; `vars` (version parts) win over globals. */
export function renderTemplate(
  template: Template,
  env: ExprEnv,
  vars: Record<string, string> = {}
): string {
  let out = ''
  for (const node of template.nodes) {
    if (node.kind === 'text') out += node.text
    else if (node.kind === 'var') {
      out += vars[node.name] ?? env.globals[node.name] ?? ''
    } else {
      // metadata-action falls back to the current date without a commit date.
      const date =
        node.helper === 'date' ? env.now : (env.ctx.commitDate ?? env.now)
      out += formatDate(date, node.format, node.timeZone)
    }
  }
  return out
}
