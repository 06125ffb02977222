/**
 * `--call check,format=json`'s answer as annotations and log lines. BuildKit's
 * lint result omits empty fields (`sourceIndex` 0, `url` '', `warnings` null);
 * buildx >= 0.15.1 exits 1 on findings, so the result itself is judged.
 */
interface CheckPlace {
  /** The source's file name as BuildKit saw it (the Dockerfile's base name). */
  source?: string
  /** 1-based lines; undefined when the result gives none. */
  startLine?: number
  endLine?: number
}

interface CheckWarning extends CheckPlace {
  rule: string
  description: string
  url: string
  detail: string
}

export interface CheckResult {
  warnings: CheckWarning[]
  /** The build error the check ran into (e.g. an unknown instruction). */
  error?: { message: string } & CheckPlace
}

/** Where an annotation points (GitHub's `file`, `line`, `endLine`, `title`). */
export type Annotation = Omit<CheckPlace, 'source'> & {
  title?: string
  file?: string
}

type Json = Record<string, unknown>

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const text = (value: unknown): string =>
  typeof value === 'string' ? value : ''

const line = (position: unknown): number | undefined => {
  const n = isObject(position) ? position.line : undefined
  return typeof n === 'number' && n > 0 ? n : undefined
}

function place(location: unknown, sources: unknown[]): CheckPlace {
  if (!isObject(location)) return {}
  const index =
    typeof location.sourceIndex === 'number' ? location.sourceIndex : 0
  const source = sources[index]
  const ranges = Array.isArray(location.ranges)
    ? location.ranges.filter(isObject)
    : []
  const starts = ranges.flatMap(r => line(r.start) ?? [])
  const ends = ranges.flatMap(r => line(r.end) ?? line(r.start) ?? [])
  return {
    source: isObject(source) ? text(source.filename) || undefined : undefined,
    startLine: starts.length > 0 ? Math.min(...starts) : undefined,
    endLine: ends.length > 0 ? Math.max(...ends) : undefined
  }
}

/** The lint result in buildx's stdout; undefined when it holds none. */
export function parseCheckResult(stdout: string): CheckResult | undefined {
  const start = stdout.indexOf('{')
  if (start < 0) return undefined
  let raw: unknown
  try {
    raw = JSON.parse(stdout.slice(start))
  } catch {
    return undefined
  }
  if (!isObject(raw) || !('warnings' in raw || 'sources' in raw))
    return undefined
  const sources = Array.isArray(raw.sources) ? raw.sources : []
  const warnings = (Array.isArray(raw.warnings) ? raw.warnings : [])
    .filter(isObject)
    .map(w => ({
      rule: text(w.ruleName),
      description: text(w.description),
      url: text(w.url),
      detail: text(w.detail),
      ...place(w.location, sources)
    }))
  if (!isObject(raw.buildError)) return { warnings }
  return {
    warnings,
    error: {
      message: text(raw.buildError.message),
      ...place(raw.buildError.location, sources)
    }
  }
}

/**
 * Warnings by file, then line: BuildKit collects a build's warnings as its steps finish, so
 * their order in the metadata differs from run to run.
 */
function inSourceOrder(warnings: CheckWarning[]): CheckWarning[] {
  const lineOf = (w: CheckWarning) => w.startLine ?? Number.MAX_SAFE_INTEGER
  return [...warnings].sort(
    (a, b) =>
      (a.source ?? '').localeCompare(b.source ?? '') || lineOf(a) - lineOf(b)
  )
}

const decoded = (value: unknown): string =>
  Buffer.from(text(value), 'base64').toString('utf8')

/** The build's own check warnings in its metadata (base64; `short` is "Rule: what (line N)"). */
export function parseBuildWarnings(metadata: Json): CheckResult {
  const raw = metadata['buildx.build.warnings']
  const seen = new Set<string>()
  const warnings = (Array.isArray(raw) ? raw : [])
    .filter(isObject)
    .map((w): CheckWarning => {
      const short = decoded(w.short).replace(/ \(line \d+\)$/, '')
      const colon = short.indexOf(': ')
      const source = isObject(w.sourceInfo) ? w.sourceInfo : {}
      return {
        rule: colon > 0 ? short.slice(0, colon) : short,
        detail: colon > 0 ? short.slice(colon + 2) : '',
        description: Array.isArray(w.detail) ? decoded(w.detail[0]) : '',
        url: text(w.url),
        ...place({ ranges: w.range }, [source])
      }
    })
    .filter(w => {
      const key = `${w.rule} ${w.source} ${w.startLine}`
      return !seen.has(key) && seen.add(key)
    })
  return { warnings: inSourceOrder(warnings) }
}

/** The workspace path of the source, when it is the Dockerfile this run built. */
function fileOf(at: CheckPlace, dockerfile: string | undefined) {
  if (dockerfile === undefined || at.source === undefined) return undefined
  const base = dockerfile.split('/').pop()
  return base === at.source.split('/').pop() ? dockerfile : undefined
}

function where(at: CheckPlace, dockerfile: string | undefined): Annotation {
  const file = fileOf(at, dockerfile)
  if (file === undefined) return {}
  return at.startLine === undefined
    ? { file }
    : { file, startLine: at.startLine, endLine: at.endLine ?? at.startLine }
}

/** One warning annotation per violation, worded as docker/actions-toolkit words them. */
export function checkAnnotations(
  result: CheckResult,
  dockerfile: string | undefined
): { message: string; annotation: Annotation }[] {
  return result.warnings.map(w => ({
    message: `${w.rule}: ${w.detail}${w.url ? `\nMore info: ${w.url}` : ''}`,
    annotation: { title: w.description || w.rule, ...where(w, dockerfile) }
  }))
}

/** `Dockerfile:3` (or `Dockerfile:3-5`), or the source alone, or ''. */
export function placeText(at: CheckPlace, dockerfile?: string): string {
  const file = fileOf(at, dockerfile) ?? at.source ?? ''
  if (file === '' || at.startLine === undefined) return file
  const end =
    at.endLine !== undefined && at.endLine !== at.startLine
      ? `-${at.endLine}`
      : ''
  return `${file}:${at.startLine}${end}`
}

function count(n: number): string {
  return n === 0 ? 'no warnings' : n === 1 ? '1 warning' : `${n} warnings`
}

/** The check's result as the log shows it, one violation a line. */
export function checkReport(
  result: CheckResult,
  dockerfile: string | undefined
): string {
  const lines = [
    `Build checks: ${count(result.warnings.length)}${result.error ? ', and a build error' : ''}`
  ]
  // `Dockerfile:3: ` in front, where there is a place
  const at = (place: CheckPlace) =>
    placeText(place, dockerfile).replace(/.+/, '$&: ')
  for (const w of result.warnings) {
    lines.push(`  ${at(w)}${w.rule}: ${w.detail}`)
    if (w.url) lines.push(`    ${w.url}`)
  }
  if (result.error)
    lines.push(`  ${at(result.error)}error: ${result.error.message}`)
  return lines.join('\n')
}

/** One line for the job summary (`label` says what found them). */
export function checkSummaryLine(
  result: CheckResult,
  dockerfile: string | undefined,
  label = 'Build checks (`call: check`)'
): string {
  const rules = result.warnings.map(w => {
    const at = placeText(w, dockerfile)
    return `\`${w.rule}\`${at ? ` (${at})` : ''}`
  })
  const parts = [
    `${count(rules.length)}${rules.length > 0 ? `: ${rules.join(', ')}` : ''}`
  ]
  if (result.error) parts.push(`build error: ${result.error.message}`)
  return `${label}: ${parts.join('; ')}`
}
