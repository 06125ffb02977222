/**
 * Process measurement: wall time by the monotonic clock, CPU time of every
 * process we start (and every descendant they wait for) from the kernel's
 * per-process count of reaped children (/proc/self/stat cutime + cstime,
 * what getrusage(RUSAGE_CHILDREN) reports). Daemon-side CPU is not in it.
 */
import { execFileSync, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import type { Readable } from 'node:stream'

export const CPU_METHOD =
  'user+sys of all reaped child processes (/proc/self/stat cutime+cstime deltas, 10 ms ticks)'

let ticksPerSecond: number | undefined

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    const text = execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })
    ticksPerSecond = Number(text.trim()) || 100
  }
  return ticksPerSecond
}

/** CPU ms used so far by the children this process has reaped. */
export function childCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8')
  // fields after "pid (comm) ": state is field 3, cutime 16, cstime 17
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const ticks = Number(fields[13]) + Number(fields[14])
  return (ticks * 1000) / clockTicks()
}

export interface Cost {
  wallMs: number
  cpuMs: number
}

/** Runs `work` (which must reap every process it starts) and measures it. */
export async function measure<T>(
  work: () => Promise<T>
): Promise<{ cost: Cost; value: T }> {
  const cpu = childCpuMs()
  const start = process.hrtime.bigint()
  const value = await work()
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6
  return { cost: { wallMs, cpuMs: childCpuMs() - cpu }, value }
}

export interface ExecOptions {
  env?: NodeJS.ProcessEnv
  /** Written to stdin (how passwords travel). */
  input?: string
  /** Called with each whole line of stdout and stderr as it arrives. */
  onLine?: (line: string) => void
}

/** A line of output and when it arrived (performance.now()). */
export interface TimedLine {
  at: number
  text: string
}

/** A collector of lines timed as they arrive: `onLine` to give a stream's lines to. */
export function timedLines(): {
  lines: TimedLine[]
  onLine: (text: string) => void
} {
  const lines: TimedLine[] = []
  return { lines, onLine: text => lines.push({ at: performance.now(), text }) }
}

/** Calls `onLine` with each whole line of `stream` as it arrives (a line split across chunks once). */
export function eachLine(
  stream: Readable,
  onLine: (line: string) => void
): void {
  let partial = ''
  stream.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n')
    partial = lines.pop() ?? ''
    for (const line of lines) onLine(line)
  })
  stream.on('end', () => partial && onLine(partial))
}

/** Runs a command to completion; throws with the tail of its output unless it exits 0. */
export async function exec(
  command: string,
  args: string[],
  options: ExecOptions = {}
): Promise<string> {
  const child = spawn(command, args, {
    env: options.env ?? process.env,
    stdio: ['pipe', 'pipe', 'pipe']
  })
  let output = ''
  const collect = (chunk: Buffer) => (output += chunk.toString())
  child.stdout.on('data', collect)
  child.stderr.on('data', collect)
  if (options.onLine !== undefined) {
    eachLine(child.stdout, options.onLine)
    eachLine(child.stderr, options.onLine)
  }
  child.stdin.end(options.input ?? '')
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', resolve)
  })
  if (code !== 0)
    throw new Error(
      `${command} ${args.join(' ')} exited ${code}:\n${tail(output)}`
    )
  return output
}

/** The last lines of some output, for error messages. */
export function tail(text: string, lines = 12): string {
  return text.trim().split('\n').slice(-lines).join('\n')
}
