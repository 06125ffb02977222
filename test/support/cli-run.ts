/**
 * The local CLI as a user runs it: a git checkout with a release tag, and
 * `dist/cli/index.js` started in it with the password on stdin.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT } from '../e2e/runner.js'
import { sharingEngine } from './engine-lock.js'

/** A checkout whose one commit holds what `write` puts in it, tagged `tag`. */
export function gitCheckout(
  write: (dir: string) => void,
  tag: string,
  origin?: string
): string {
  const dir = mkdtempSync(join(tmpdir(), 'dpa-cli-'))
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' })
  git('init', '-q', '-b', 'main')
  write(dir)
  git('add', '.')
  git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'init')
  if (origin !== undefined) git('remote', 'add', 'origin', origin)
  git('tag', tag)
  return dir
}

export interface CliRun {
  child: ChildProcess
  /** stdout and stderr so far. */
  output(): string
  /** The exit code (null when a signal ended it). */
  closed: Promise<number | null>
}

/**
 * The CLI started in `cwd` with `args`, the password on stdin; `detached`
 * gives it a process group of its own (a terminal's Ctrl-C signals the group).
 */
export function startCli(
  args: string[],
  options: {
    cwd: string
    env: NodeJS.ProcessEnv
    password: string
    detached?: boolean
  }
): CliRun {
  const [command, ...lock] = sharingEngine(options.env.DOCKER_HOST)
  const child = spawn(
    command,
    // qemu off and the stack's BuildKit stand-in unless asked, as the e2e runner's steps
    // (test/e2e/runner.ts)
    [
      ...lock,
      process.execPath,
      join(ROOT, 'dist/cli/index.js'),
      ...(args.includes('--qemu') ? [] : ['--qemu', 'false']),
      ...(args.includes('--buildkit-image')
        ? []
        : ['--buildkit-image', 'moby/buildkit:buildx-stable-1']),
      ...args
    ],
    {
      cwd: options.cwd,
      env: options.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: options.detached ?? false
    }
  )
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stdin?.end(options.password)
  const closed = new Promise<number | null>(done => child.on('close', done))
  return { child, output: () => output, closed }
}
