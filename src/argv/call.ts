/**
 * buildx's `--call` (v0.15.0+), read as CSV (callfunc.go): a method, then
 * `format=` and `ignorestatus=`; `build` is the default and turns it off.
 */
import semverLt from 'semver/functions/lt.js'
import { csvFields } from '../csv/csv.js'
import { evaluatesOnly } from '../settings/build-options.js'

/** The first buildx with `--call`. */
const CALL_MIN_BUILDX = '0.15.0'

/** `call: check` (its method, the first field): the build checks, read by this action as JSON. */
export function isCheck(call: string): boolean {
  return (csvFields(call)[0] ?? '').trim() === 'check'
}

function options(call: string): string[] {
  return csvFields(call)
    .slice(1)
    .map(option => option.trim())
}

/** `ignorestatus=true`: buildx reports the check's violations without failing. */
export function ignoresStatus(call: string): boolean {
  return options(call).some(o => /^ignorestatus=(true|1|t)$/i.test(o))
}

/**
 * The `--call` argv: none for build; `check` always with format=json, which we read; others as
 * given.
 */
export function callArgs(call: string): string[] {
  if (!evaluatesOnly(call)) return []
  if (!isCheck(call)) return ['--call', call]
  const kept = options(call).filter(o => !o.startsWith('format='))
  return ['--call', ['check', 'format=json', ...kept].join(',')]
}

/** The version in `docker buildx version` (`0.13.1+ds1`, `v0.15.1`); none for a dev build. */
export function parseBuildxVersion(text: string): string | undefined {
  return /\sv?(\d+\.\d+\.\d+)/.exec(` ${text}`)?.[1]
}

/**
 * Why this buildx (`docker buildx version`'s answer, null: none) cannot run the call; an unnamed
 * version passes.
 */
export function callUnsupported(
  call: string,
  buildx: string | null
): string | undefined {
  if (!evaluatesOnly(call)) return undefined
  const need = `needs buildx >= ${CALL_MIN_BUILDX}`
  const fix =
    'add docker/setup-buildx-action before this step, or leave call empty'
  if (buildx === null) return `${need} (buildx is not installed): ${fix}`
  const version = parseBuildxVersion(buildx)
  const old =
    version !== undefined && semverLt(version, CALL_MIN_BUILDX, { loose: true })
  return old ? `${need} (found ${version}): ${fix}` : undefined
}
