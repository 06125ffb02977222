/**
 * Commits of a real app, as a user's CI builds them: a Dockerfile with a
 * WORKDIR, a slow dependency step, then the sources, which each commit
 * changes; each commit a push at its own time (a payload of its own).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { eventEnv } from '../fixtures/events.js'
import { ROOT } from '../e2e/runner.js'

/** What the dependency step prints: a step BuildKit ran shows it, a cached one does not. */
const DEPENDENCIES = 'installing-dependencies'

/**
 * The app's context for one commit; `nonce` keeps one app out of another's
 * cache, `seconds` is how long its dependency step takes.
 */
export function appContext(nonce: string, commit: number, seconds = 0): string {
  const dir = mkdtempSync(join(tmpdir(), 'dpa-app-'))
  writeFileSync(
    join(dir, 'Dockerfile'),
    [
      'FROM local/busybox:latest',
      'WORKDIR /app',
      `RUN echo ${DEPENDENCIES} ${nonce} && sleep ${seconds} && head -c 65536 /dev/urandom > /app/deps`,
      'COPY src.txt /app/',
      ''
    ].join('\n')
  )
  writeFileSync(join(dir, 'src.txt'), `commit ${commit}\n`)
  return dir
}

/** The commit's time: commit n was pushed on 2026-11-0n at 10:00 UTC. */
export const commitEpoch = (commit: number): number =>
  Date.UTC(2026, 10, commit, 10) / 1000

/** A push of commit n to the branch: the runner's env with a payload of its own. */
export function commitEnv(commit: number): Record<string, string> {
  // read in place from ROOT: the bench's bundle cannot relocate the fixtures' folder
  const fixture = join(ROOT, 'test/fixtures/events/push-branch.json')
  const payload = JSON.parse(readFileSync(fixture, 'utf8')) as {
    after: string
    head_commit: { id: string; timestamp: string }
  }
  const sha = `${String(commit).repeat(7)}${'a'.repeat(33)}`
  payload.after = sha
  payload.head_commit = {
    ...payload.head_commit,
    id: sha,
    timestamp: new Date(commitEpoch(commit) * 1000).toISOString()
  }
  const path = join(mkdtempSync(join(tmpdir(), 'dpa-event-')), 'event.json')
  writeFileSync(path, JSON.stringify(payload))
  return { ...eventEnv('push-branch', path), GITHUB_SHA: sha }
}

/** Whether the build ran the dependency step (BuildKit printed its output). */
export const ranDependencies = (stdout: string): boolean =>
  stdout
    .split('\n')
    .some(line => new RegExp(`^#\\d+ [\\d.]+ ${DEPENDENCIES} \\S+$`).test(line))
