/**
 * Values a pull request's author chooses (SECURITY.md): on a pull request,
 * `{{branch}}` and `{{base_ref}}`. A tag whose name took either may be
 * anything a per-PR image needs but never a protected name (protectedReason):
 * such a tag fails the run, naming the input, before any docker command.
 */
import type { RefContext } from '../context/context-types.js'
import { InputError } from '../errors/input-error.js'
import type { Template } from './expressions.js'
import { sanitizeTag } from './sanitize.js'

/** The expressions whose value a pull request's author chooses. */
export const FORK_VARIABLES: ReadonlySet<string> = new Set([
  'branch',
  'base_ref'
])

/** Whether any of these templates renders a fork-chosen value. */
export function usesForkValue(templates: Template[]): boolean {
  return templates.some(template =>
    template.nodes.some(
      node => node.kind === 'var' && FORK_VARIABLES.has(node.name)
    )
  )
}

/** A rule's templates that shape its tag (enable= only decides whether). */
export function nameTemplates(rule: object): Template[] {
  return Object.entries(rule)
    .filter(([key]) => key !== 'enable')
    .map(([, value]) => value as unknown)
    .filter(
      (value): value is Template =>
        typeof value === 'object' &&
        value !== null &&
        'nodes' in value &&
        'source' in value
    )
}

// a version or a version line: 1, 1.2, v1.2.3, 1.2.3-rc.1, 1.2.3+build
const VERSION_LIKE = /^[vV]?\d+(?:\.\d+)*(?:[-+_].*)?$/
const SHA_TAG = /^sha-[0-9a-f]{7,64}$/
const PR_TAG = /^pr-(\d+)$/

/** Why this name is protected from a fork-chosen value, if it is. */
function protectedReason(name: string, ctx: RefContext): string | undefined {
  if (name === 'latest') return 'latest'
  if (VERSION_LIKE.test(name)) return 'a version tag'
  const branches = ctx.defaultBranches.map(sanitizeTag)
  if (branches.includes(name) || name === 'edge')
    return "the default branch's tag"
  if (name === 'nightly') return "the schedule's tag"
  if (SHA_TAG.test(name)) return "a commit's sha- tag"
  const pr = PR_TAG.exec(name)?.[1]
  if (pr !== undefined && pr !== String(ctx.prNumber ?? ''))
    return "another pull request's tag"
  return undefined
}

/** Where a fork-named tag's name comes from: the input and its line, for the error. */
export interface ForkSource {
  input: 'tags' | 'flavor'
  source: string
}

/** Refuses a fork-named tag with a protected name (see the module comment). */
export function checkForkNamedTag(
  name: string,
  ctx: RefContext,
  fork: ForkSource
): void {
  const reason = protectedReason(name, ctx)
  if (reason === undefined) return
  throw new InputError(
    fork.input,
    fork.source,
    `on this ${ctx.eventName} event it gives "${name}" from {{branch}} or {{base_ref}}, which ` +
      `the pull request's author chooses, and such a value may not make ${reason}; ` +
      'give the tag a fixed part, e.g. type=raw,value=preview-{{branch}}'
  )
}
