/**
 * The reliability record: one JSON line per case of a reliability suite
 * (faults, secrets, bad inputs, races, re-runs), which
 * scripts/reliability.mjs turns into docs/reliability-cases.md. A case is recorded
 * whether its assertions held or not, so the report shows failures too.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { isAbsolute, join, resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '../..')

/** One line of `<dir>/<suite>.jsonl`. */
export interface ReliabilityRecord {
  suite: string
  category: string
  case: string
  /** True when every assertion of the case passed. */
  held: boolean
  /** Measured time to fail or succeed: the action run, or the whole case. */
  ms: number
  /** What was left in the registry afterwards, in words. */
  left: string
  /** The failed assertion in one line, when it did not hold. */
  error?: string
  /** Said by the case (a known gap, what was measured). */
  note?: string
  /** A soak schedule's fault and outcome (soak.test.ts). */
  schedule?: ScheduleOutcome
  /** When the case ended (ISO 8601). */
  at: string
}

/** What happened on one schedule of the soak. */
interface ScheduleOutcome {
  /** The fault, in words ('no fault'). */
  fault: string
  /** Whether it happened (a registry fault whose request never came did not). */
  struck: boolean
  /** Whether the run succeeded (the release landed). */
  released: boolean
  /** The bound the run was held to, ms. */
  boundMs: number
}

/** What a case body may tell the record. */
export interface CaseRecord {
  /** Sets `left`: what the registry holds after the case. */
  left(text: string): void
  /** Sets `note`. */
  note(text: string): void
  /** Runs `work` and records its duration as the case's time. */
  time<T>(work: () => Promise<T>): Promise<T>
  /** Sets `schedule`. */
  schedule(outcome: ScheduleOutcome): void
}

/** The results folder: $DPA_RELIABILITY_DIR, else `.reliability` at the repository root. */
function reliabilityDir(): string {
  const dir = process.env.DPA_RELIABILITY_DIR
  if (dir === undefined || dir === '') return join(ROOT, '.reliability')
  return isAbsolute(dir) ? dir : resolve(ROOT, dir)
}

/**
 * The recorder of one suite: `record(category, name, body)` runs the case
 * body and appends its line to `<dir>/<suite>.jsonl` (emptied by the
 * suite's first record, so the file holds the suite's last run). A body
 * that throws is recorded with held false, and the error is rethrown.
 */
export function reliabilityRecorder(suite: string) {
  let started = false
  const file = () => join(reliabilityDir(), `${suite}.jsonl`)
  const write = (record: ReliabilityRecord) => {
    mkdirSync(reliabilityDir(), { recursive: true })
    if (!started) writeFileSync(file(), '')
    started = true
    appendFileSync(file(), `${JSON.stringify(record)}\n`)
  }

  return async function record(
    category: string,
    name: string,
    body: (c: CaseRecord) => Promise<void>
  ): Promise<void> {
    let left = ''
    let note: string | undefined
    let measured: number | undefined
    let schedule: ScheduleOutcome | undefined
    const c: CaseRecord = {
      schedule: outcome => {
        schedule = outcome
      },
      left: text => {
        left = text
      },
      note: text => {
        note = text
      },
      time: async work => {
        const start = performance.now()
        try {
          return await work()
        } finally {
          measured = performance.now() - start
        }
      }
    }
    const start = performance.now()
    let error: string | undefined = 'the case did not finish'
    try {
      await body(c)
      error = undefined
    } catch (thrown) {
      error = oneLine(thrown instanceof Error ? thrown.message : String(thrown))
      throw thrown
    } finally {
      write({
        suite,
        category,
        case: name,
        held: error === undefined,
        ms: Math.round(measured ?? performance.now() - start),
        left,
        ...(error === undefined ? {} : { error }),
        ...(note === undefined ? {} : { note }),
        ...(schedule === undefined ? {} : { schedule }),
        at: new Date().toISOString()
      })
    }
  }
}

/** An assertion message on one line, without colours, at most 300 characters. */
function oneLine(message: string): string {
  const text = message
    .replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '')
    .split('\n')
    .map(line => line.trim())
    .filter(line => line !== '')
    .join('; ')
  return text.length > 300 ? `${text.slice(0, 299)}…` : text
}

/** Tag name → digest, as a registry holds a repository. */
export type TagState = Record<string, string>

/**
 * What a case left, in words: the tags it added or moved, and the ones it
 * left as they were ("1.2.3 added; 1.2, 1 moved; latest unchanged").
 */
export function describeLeft(before: TagState, after: TagState): string {
  const tags = Object.keys(after).sort()
  const added = tags.filter(t => !(t in before))
  const moved = tags.filter(t => t in before && before[t] !== after[t])
  const kept = tags.filter(t => before[t] === after[t])
  const gone = Object.keys(before).filter(t => !(t in after))
  const parts = [
    added.length > 0 ? `${added.join(', ')} added` : '',
    moved.length > 0 ? `${moved.join(', ')} moved` : '',
    gone.length > 0 ? `${gone.join(', ')} removed` : '',
    kept.length > 0 ? `${kept.join(', ')} unchanged` : ''
  ].filter(part => part !== '')
  if (added.length + moved.length + gone.length === 0)
    return kept.length === 0 ? 'nothing' : `nothing new (${parts.join('')})`
  return parts.join('; ')
}
