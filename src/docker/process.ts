/**
 * One child process: output streamed and kept, input on stdin, and a watch that stops a silent one.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import {
  accessSync,
  constants,
  readdirSync,
  readFileSync,
  statSync
} from 'node:fs'
import { constants as osConstants, EOL } from 'node:os'
import { delimiter, isAbsolute, join } from 'node:path'
import type { Readable } from 'node:stream'
import { escapeWorkflowCommands, escapingWriter } from './workflow-commands.js'
import { progressEvent, type ProgressEvent } from './buildx-progress.js'

/**
 * What the run does once a watch stopped its command (publish/docker-steps.ts' loop): build again
 * without the cache, on a fresh BuildKit (once), let the step's retry run it again, or fail.
 */
type Recovery = 'drop the cache' | 'renew and run again' | 'run again' | 'fail'

/** The command a watch stopped: how long it was silent, what it printed (runner.ts' error). */
export type Stopped = Error & { silentMs: number; output: string }

/** Stops a command that prints nothing for too long. */
export interface StallWatch {
  /** What it watches ("push", "cache", "restart"), by which the watches are told apart. */
  name: string
  /** Silence that counts as a stall, in ms: no new line (a repeated status line is no progress). */
  ms: number
  /** The output line the watch starts at (a push phase), as buildx's; the start when absent. */
  startsAt?: (event: ProgressEvent) => boolean
  /** The line after which it rests until `startsAt` matches again (a phase that ended). */
  endsAt?: (event: ProgressEvent) => boolean
  /**
   * Asked after each silence: true (a long upload prints nothing) starts the watch over; false, or
   * a rejection, stops the command.
   */
  stillAnswering?: () => Promise<boolean>
  /**
   * Silence that stops the command even while the other end answers: a hung request of docker's is
   * not seen by asking on another connection.
   */
  limitMs?: number
  /** What the run does once it stopped the command (its output may say); 'fail' when absent. */
  recovery?: (stopped: Stopped) => Recovery
  /** Its stop may leave the builder held by the read that hung: renewed before it runs again. */
  holdsBuilder?: boolean
  /** Why it stopped the command, as the log tells it when the recovery runs. */
  told?: (stopped: Stopped) => string
  /** What a user reads when it stopped the command and no recovery is left. */
  failure?: (stopped: Stopped) => Error
}

export interface ProcessOptions {
  /** Sent on stdin; without it stdin is empty. */
  input?: string
  /** Don't echo the command or stream its output. */
  quiet?: boolean
  env: NodeJS.ProcessEnv
  /** The folder it runs in (this process's when absent). */
  cwd?: string
  /** Each may stop the command; the first that does is named in the result. */
  stalls?: StallWatch[]
  /** Told each whole line of output as buildx's progress event, as it comes. */
  onProgress?: (event: ProgressEvent) => void
  /** Where output is streamed (process.stdout, as @actions/exec does). */
  out?: NodeJS.WritableStream
  /** Put in front of each streamed line (whose output it is). */
  prefix?: string
  /**
   * Takes stdout as bytes (`docker save`'s tar) instead of keeping it; a rejection stops the
   * command.
   */
  stdout?: (stream: Readable) => Promise<void>
  /** The most the command may take, in ms; past it, it is stopped as `stalled` by 'deadline'. */
  deadlineMs?: number
  /**
   * Starts it in a process group of its own (a new session), ended whole when it is stopped and
   * once it exited: a child it left in the background, re-parented out of its tree (`( cmd & )`),
   * is still in the group, and would keep its output open, and the step waiting, after it.
   */
  ownGroup?: boolean
}

interface ProcessResult {
  /** The exit code; 128 + the signal's number when a signal ended it. */
  exitCode: number
  stdout: string
  stderr: string
  /** Set when a watch stopped it: how long it had been silent, in ms, and which watch. */
  stalled?: { silentMs: number; watch: StallWatch }
  /** Set when the stdout consumer failed (and the command was stopped). */
  consumerError?: Error
  /** The consumer failed before stdout ended: its failure ended the command. */
  consumerFirst?: boolean
}

/** Names a command may have on disk: `docker`, or `docker.exe` on Windows. */
function withExtensions(file: string): string[] {
  if (process.platform !== 'win32') return [file]
  const extensions = (process.env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';')
  return [file, ...extensions.map(extension => `${file}${extension}`)]
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK)
    return statSync(file).isFile()
  } catch {
    return false
  }
}

/** The path of an executable on PATH (or the path given), if there is one. */
export function findExecutable(name: string, path: string): string | undefined {
  const places =
    isAbsolute(name) || name.includes('/')
      ? [name]
      : path
          .split(delimiter)
          .filter(dir => dir !== '')
          .map(dir => join(dir, name))
  return places.flatMap(withExtensions).find(isExecutableFile)
}

/** The children of `pid`, from every thread (Go starts them from any). */
function children(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap(task =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8')
        .split(' ')
        .filter(word => word.trim() !== '')
        .map(Number)
    )
  } catch {
    return [] // not Linux, or gone
  }
}

function descendants(pid: number): number[] {
  return children(pid).flatMap(child => [child, ...descendants(child)])
}

/** SIGKILLs the process and what it started (buildx runs below docker), children first. */
function killTree(pid: number): void {
  for (const target of [...descendants(pid).reverse(), pid]) {
    try {
      process.kill(target, 'SIGKILL')
    } catch {
      // already gone
    }
  }
}

/** SIGKILLs every process of the group `pid` leads (ProcessOptions.ownGroup). */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL')
  } catch {
    // none left
  }
}

/**
 * The stall watch; only a new line resets it: `docker push` on the containerd store prints
 * `<layer>: Waiting` every second while its upload hangs, buildx a download that does not move.
 */
function stallTimer(watch: StallWatch, stop: (silentMs: number) => void) {
  const printed = new Set<string>()
  let lastProgress = performance.now()
  let timer: NodeJS.Timeout | undefined
  let asking = false
  let ended = false
  const arm = () => {
    clearTimeout(timer)
    if (!ended) timer = setTimeout(() => void silent(), watch.ms)
  }
  const silent = async () => {
    const since = lastProgress
    asking = true
    const answering =
      (await watch.stillAnswering?.().catch(() => false)) ?? false
    asking = false
    if (ended) return
    const silentMs = performance.now() - since
    // progress that came while the other end was asked: not a stall
    if (lastProgress !== since) arm()
    else if (answering && silentMs < (watch.limitMs ?? Infinity)) arm()
    else stop(silentMs)
  }
  if (watch.startsAt === undefined) arm()
  return {
    /** A whole line of output: the watch starts at the first that matches. */
    line(line: string) {
      const event = progressEvent(line)
      // a line is news when what it tells is: buildx prints an open download again every 5 s
      // with the time it has taken, bytes that do not move included
      const news = JSON.stringify(event)
      if (printed.has(news)) return
      printed.add(news)
      lastProgress = performance.now()
      if (timer === undefined) {
        if (watch.startsAt?.(event) === true) arm()
      } else if (watch.endsAt?.(event) === true) {
        clearTimeout(timer)
        timer = undefined
      } else if (!asking) arm()
    },
    end() {
      ended = true
      clearTimeout(timer)
    }
  }
}

/**
 * Keeps a stream's text, streams it to `out`, and tells `onLine` each whole line (the watches').
 */
function collect(
  stream: Readable | null,
  out: NodeJS.WritableStream | undefined,
  prefix: string | undefined,
  onLine: (line: string) => void
): { text: string } {
  const kept = { text: '' }
  // docker's output is not ours: no line of it may be a workflow command
  const shown = out && escapingWriter(out, prefix)
  let partial = ''
  // the stream's decoder keeps a character split across chunks whole
  stream?.setEncoding('utf8')
  stream?.on('data', (text: string) => {
    shown?.write(text)
    kept.text += text
    const lines = (partial + text).split('\n')
    partial = lines.pop() ?? ''
    for (const line of lines) onLine(line.replace(/\r$/, ''))
  })
  stream?.on('end', () => shown?.end())
  return kept
}

/** Runs the stdout consumer, if any: its failure (it stops the child), or nothing. */
async function consume(
  child: ChildProcess,
  consumer: ((stream: Readable) => Promise<void>) | undefined,
  kill: () => void
): Promise<Pick<ProcessResult, 'consumerError' | 'consumerFirst'>> {
  if (consumer === undefined || child.stdout === null) return {}
  let ended = false
  child.stdout.once('end', () => (ended = true))
  try {
    await consumer(child.stdout)
    return {}
  } catch (error) {
    const running = child.exitCode === null && child.signalCode === null
    if (running) kill()
    child.stdout.resume()
    const failure = error instanceof Error ? error : new Error(String(error))
    return { consumerError: failure, consumerFirst: !ended }
  }
}

/**
 * Starts the command; `kill` ends it and what it started, and with `ownGroup` its whole group,
 * whose leftovers are also ended once the command exited.
 */
function launch(file: string, args: string[], options: ProcessOptions) {
  const child = spawn(file, args, {
    env: options.env,
    cwd: options.cwd,
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    detached: options.ownGroup
  })
  const endGroup = () => {
    if (options.ownGroup === true && child.pid !== undefined)
      killGroup(child.pid)
  }
  child.on('exit', endGroup)
  const kill = () => {
    if (child.pid !== undefined) killTree(child.pid)
    endGroup()
  }
  return { child, kill }
}

/** Calls `stop` once `ms` have passed, if given, as the watch 'deadline'. */
const afterDeadline = (
  ms: number | undefined,
  stop: (ms: number, watch: StallWatch) => void
) =>
  ms === undefined
    ? undefined
    : setTimeout(() => stop(ms, { name: 'deadline', ms }), ms)

export function runProcess(
  file: string,
  args: string[],
  options: ProcessOptions
): Promise<ProcessResult> {
  const out =
    options.quiet === true ? undefined : (options.out ?? process.stdout)
  out?.write(
    `${options.prefix ?? ''}${escapeWorkflowCommands(`[command]${file} ${args.join(' ')}`)}${EOL}`
  )
  const { child, kill } = launch(file, args, options)
  let stalled: ProcessResult['stalled']
  const stop = (silentMs: number, watch: StallWatch) => {
    stalled ??= { silentMs, watch }
    kill()
  }
  const watches = (options.stalls ?? []).map(watch =>
    stallTimer(watch, silentMs => stop(silentMs, watch))
  )
  const deadline = afterDeadline(options.deadlineMs, stop)
  // each stream its own lines: buildx prints on stderr, docker push on stdout
  const seen = (line: string) => {
    watches.forEach(watch => watch.line(line))
    options.onProgress?.(progressEvent(line))
  }
  const stdout =
    options.stdout === undefined
      ? collect(child.stdout, out, options.prefix, seen)
      : { text: '' }
  const stderr = collect(child.stderr, out, options.prefix, seen)
  const consumed = consume(child, options.stdout, kill)
  if (options.input !== undefined) {
    // a command that exits without reading its input is not an error here
    child.stdin?.on('error', () => undefined)
    child.stdin?.end(options.input)
  }
  return new Promise((resolve, reject) => {
    const end = () => {
      clearTimeout(deadline)
      watches.forEach(watch => watch.end())
    }
    child.on('error', error => {
      end()
      reject(error)
    })
    child.on('close', (code, signal) => {
      end()
      void consumed.then(failure =>
        resolve({
          exitCode: code ?? 128 + (signal ? osConstants.signals[signal] : 0),
          stdout: stdout.text,
          stderr: stderr.text,
          stalled,
          ...failure
        })
      )
    })
  })
}
