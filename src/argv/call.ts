/**
 * buildx's `--call` (build-push-action's `call` input): its argv and the
 * buildx it needs. Facts from docker/buildx: `--call` and `--check` arrived
 * in v0.15.0 (commands/build.go; v0.14 had only the experimental --print);
 * util/buildflags/callfunc.go reads the value as CSV, a method (`check` is
 * buildx's name for the frontend's `lint`) then `format=` and
 * `ignorestatus=`; `build` is the default and turns the flag off.
 */
import semverLt from 'semver/functions/lt.js'

/** The first buildx with `--call`. */
export const CALL_MIN_BUILDX = '0.15.0'

/** The method of a `call` value ('' when empty). */
export function callMethod(call: string): string {
  return call.split(',')[0].trim()
}

/** `call: check`: the build checks, read by this action as JSON. */
export function isCheck(call: string): boolean {
  return callMethod(call) === 'check'
}

/** A call that needs buildx's `--call` (any method but the default build). */
export function needsCallFlag(call: string): boolean {
  const method = callMethod(call)
  return method !== '' && method !== 'build'
}

function options(call: string): string[] {
  return call
    .split(',')
    .slice(1)
    .map(option => option.trim())
}

/** `ignorestatus=true`: buildx reports the check's violations without failing. */
export function ignoresStatus(call: string): boolean {
  return options(call).some(o => /^ignorestatus=(true|1|t)$/i.test(o))
}

/**
 * The `--call` argv: none for build (buildx's default, so any buildx runs
 * it); `check` always with format=json, which this action reads and reports
 * (any format the user gave is replaced); other methods as given.
 */
export function callArgs(call: string): string[] {
  if (!needsCallFlag(call)) return []
  if (!isCheck(call)) return ['--call', call]
  const kept = options(call).filter(o => !o.startsWith('format='))
  return ['--call', ['check', 'format=json', ...kept].join(',')]
}

/**
 * The version in `docker buildx version`'s answer, e.g. `0.13.1` from
 * `github.com/docker/buildx 0.13.1+ds1 …` or `… v0.15.1 1c2f…`; undefined
 * when it names none (a development build shows only a commit).
 */
export function parseBuildxVersion(text: string): string | undefined {
  return /\sv?(\d+\.\d+\.\d+)/.exec(` ${text}`)?.[1]
}

/**
 * Why this buildx cannot run the call (undefined when it can). `buildx` is
 * what `docker buildx version` said, or null when there is no buildx; a
 * version it does not name is given the benefit of the doubt.
 */
export function callUnsupported(
  call: string,
  buildx: string | null
): string | undefined {
  if (!needsCallFlag(call)) return undefined
  const need = `needs buildx >= ${CALL_MIN_BUILDX}`
  const fix =
    'add docker/setup-buildx-action before this step, or leave call empty'
  if (buildx === null) return `${need} (buildx is not installed): ${fix}`
  const version = parseBuildxVersion(buildx)
  const old =
    version !== undefined && semverLt(version, CALL_MIN_BUILDX, { loose: true })
  return old ? `${need} (found ${version}): ${fix}` : undefined
}
