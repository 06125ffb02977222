/**
 * `{{…}}` in the values of `build-args`, `labels` and `annotations` lines
 * (`VERSION={{version}}`): the tag engine's expressions (tags/expressions.ts)
 * plus the run's `{{version}}` and `{{tags}}` (the first `tags` output line).
 *
 * On a pull request `{{branch}}` and `{{base_ref}}` are the author's choice
 * (SECURITY.md): a line that takes one is refused where the value holds a
 * control character (a line break adds a key=value line to the outputs later
 * steps read) or where it sets a key the run trusts (TRUSTED_KEYS).
 */
import { InputError } from '../errors/input-error.js'
import { PULL_REQUEST_LABEL } from '../guards/fork-tags.js'
import {
  compileTemplate,
  renderTemplate,
  templateNames,
  type ExprEnv,
  type Template
} from '../tags/expressions.js'
import { FORK_VARIABLES } from '../tags/fork-values.js'
import { refInfo } from '../tags/ref-info.js'

/** The inputs whose values may hold templates. */
export type TemplateInput = 'build-args' | 'labels' | 'annotations'

/** What the run itself gives the templates, besides the tag engine's globals. */
export interface RunTemplateValues {
  /** The `version` output. */
  version: string
  /** The first line of the `tags` output ('' when the run has no tag). */
  tags: string
}

/** The names a value may use beyond the tag engine's globals. */
const RUN_NAMES = ['version', 'tags']

/** Keys whose value the run trusts, which a fork's value may not set. */
const TRUSTED_KEYS = new Map([
  ['org.opencontainers.image.revision', 'tells a re-run of this commit'],
  ['org.opencontainers.image.source', 'tells a re-run of this commit'],
  ['org.opencontainers.image.version', 'names the release'],
  [PULL_REQUEST_LABEL, 'names the pull request that wrote the image']
])

// an annotation's level prefix: manifest:, index:, manifest[linux/amd64]:
const LEVEL_PREFIX = /^[a-z,-]+(?:\[[^\]]*\])?:/
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/

/** A line split at its first `=`; a build-arg without `=` has no value. */
function splitLine(line: string): { key: string; value?: string } {
  const at = line.indexOf('=')
  return at < 0
    ? { key: line }
    : { key: line.slice(0, at), value: line.slice(at + 1) }
}

/** Refuses a fork-chosen value where the module comment says. */
function checkForkValues(
  template: Template,
  key: string,
  env: ExprEnv,
  from: { input: TemplateInput; line: string }
): void {
  if (refInfo(env.ctx).pr === undefined) return
  const names = [...templateNames(template)].filter(n => FORK_VARIABLES.has(n))
  const choice = (name: string) =>
    `on this ${env.ctx.eventName} event {{${name}}} is the pull request author's choice`
  const bad = names.find(name => CONTROL.test(env.globals[name] ?? ''))
  if (bad !== undefined)
    throw new InputError(
      from.input,
      from.line,
      `${choice(bad)}, and it gives ${JSON.stringify(env.globals[bad])}, which holds a control character; a value it takes may hold none`
    )
  const trusted = TRUSTED_KEYS.get(key.trim().replace(LEVEL_PREFIX, ''))
  if (names.length > 0 && trusted !== undefined)
    throw new InputError(
      from.input,
      from.line,
      `${choice(names[0])}, and it may not set ${key.trim()}, which ${trusted}; give this key a value without {{branch}} or {{base_ref}}`
    )
}

/** The input's lines, their values' templates rendered; an unknown expression or refused fork value throws naming the line. */
export function expandLines(
  lines: string[],
  input: TemplateInput,
  env: ExprEnv,
  values: RunTemplateValues
): string[] {
  return lines.map(line => {
    const { key, value } = splitLine(line)
    if (value === undefined) return line
    const from = { input, line }
    const template = compileTemplate(value, from, RUN_NAMES)
    checkForkValues(template, key, env, from)
    return `${key}=${renderTemplate(template, env, { ...values })}`
  })
}
