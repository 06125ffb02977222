/**
 * `{{…}}` in `build-args`, `labels` and `annotations` values: the tag engine's
 * expressions plus `{{version}}` and `{{tags}}` (the first `tags` line). On a
 * pull request `{{branch}}` and `{{base_ref}}` are the author's (SECURITY.md):
 * refused where the value holds a control character (a line break adds an
 * output line) or sets a key the run trusts (TRUSTED_KEYS).
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
type TemplateInput = 'build-args' | 'labels' | 'annotations'

/**
 * The names a value may use beyond the tag engine's globals: the `version` output and the first
 * `tags` line ('' for none).
 */
const RUN_NAMES = ['version', 'tags'] as const

type RunTemplateValues = Record<(typeof RUN_NAMES)[number], string>

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
export function splitLine(line: string): { key: string; value?: string } {
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
      `${choice(bad)}, and it gives ${JSON.stringify(env.globals[bad])}, which holds a control ` +
        `character; a value it takes may hold none`
    )
  const trusted = TRUSTED_KEYS.get(key.trim().replace(LEVEL_PREFIX, ''))
  if (names.length > 0 && trusted !== undefined)
    throw new InputError(
      from.input,
      from.line,
      `${choice(names[0])}, and it may not set ${key.trim()}, which ${trusted}; give this key a ` +
        `value without {{branch}} or {{base_ref}}`
    )
}

/**
 * The input's lines, their values' templates rendered; an unknown expression or refused fork value
 * throws naming the line.
 */
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
    return `${key}=${renderTemplate(template, env, values)}`
  })
}
