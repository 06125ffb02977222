/**
 * Commits of a real app, as a user's CI builds them: a Dockerfile with a
 * WORKDIR, a slow dependency step, then the sources, which each commit
 * changes; each commit a push at its own time (a payload of its own).
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { eventEnv } from '../fixtures/events.js'
import { ROOT } from '../e2e/runner.js'
import { aloneOnEngine } from './engine-lock.js'

/** What the dependency step prints: a step BuildKit ran shows it, a cached one does not. */
const DEPENDENCIES = 'installing-dependencies'

/** One commit of the app, as the bench and the tests build it. */
export interface AppCommit {
  /**
   * Keeps one app out of another's cache. In the one-stage app it names the WORKDIR, the first
   * step after FROM, so no record of the chain the inline cache carries is one another test's
   * build made (in one run, a `WORKDIR /app` record every app shared on an engine carried
   * another layer and the chain was not reused; the likeliest cause, not proven).
   * The multi-stage app keeps `WORKDIR /app` (see docs/measured.md: its inline cache reuses no
   * step of a fresh chain).
   */
  nonce: string
  commit: number
  /** How long the dependency step takes. */
  seconds?: number
  /** How much it writes (64 KiB by default). */
  megabytes?: number
  /** The base image (the engine's local/busybox by default). */
  base?: string
  /** The dependencies built in a `builder` stage, copied into the final one. */
  multiStage?: boolean
}

/** The app's context for one commit: a folder with its Dockerfile and sources. */
export function appCommit(app: AppCommit): string {
  const { nonce, commit, seconds = 0, base = 'local/busybox:latest' } = app
  const bytes = app.megabytes === undefined ? 65536 : app.megabytes * 1048576
  const dependencies = `RUN echo ${DEPENDENCIES} ${nonce} && mkdir -p /app && sleep ${seconds} && head -c ${bytes} /dev/urandom > /app/deps`
  const lines = app.multiStage
    ? [
        `FROM ${base} AS builder`,
        'WORKDIR /app',
        dependencies,
        'COPY src.txt /app/',
        'RUN cat /app/src.txt > /app/built',
        `FROM ${base}`,
        'WORKDIR /app',
        'COPY --from=builder /app/deps /app/built /app/'
      ]
    : [
        `FROM ${base}`,
        `WORKDIR /work-${nonce.replace(/[^\w.-]/g, '-')}`,
        dependencies,
        'COPY src.txt /app/'
      ]
  const dir = mkdtempSync(join(tmpdir(), 'dpa-app-'))
  writeFileSync(join(dir, 'Dockerfile'), [...lines, ''].join('\n'))
  writeFileSync(join(dir, 'src.txt'), `commit ${commit}\n`)
  return dir
}

/**
 * The app's context for one commit; `nonce` keeps one app out of another's
 * cache, `seconds` is how long its dependency step takes.
 */
export function appContext(
  nonce: string,
  commit: number,
  seconds = 0,
  base?: string
): string {
  return appCommit({ nonce, commit, seconds, ...(base && { base }) })
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

/** A build cache record as `buildx du --verbose` prints it. */
interface CacheRecord {
  id: string
  /** buildx 0.13 prints one `Parent:`, 0.29 a `Parents:` list. */
  parents: string[]
  description: string
}

function cacheRecords(run: (args: string[]) => string): CacheRecord[] {
  const records: CacheRecord[] = []
  for (const block of run(['buildx', 'du', '--verbose']).split(/\n\s*\n/)) {
    const field = (name: string) =>
      new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(block)?.[1]?.trim() ?? ''
    if (field('ID') !== '')
      records.push({
        id: field('ID'),
        parents: [
          field('Parent'),
          ...[...block.matchAll(/^ - (\S+)$/gm)].map(m => m[1])
        ].filter(Boolean),
        description: field('Description')
      })
  }
  return records
}

/**
 * Makes the builder a cold runner's for this app: every build cache record
 * of its dependency step (the nonce is in it) and every record built on one,
 * pruned by id, children first (the stack's builders are shared, so only
 * this app's records go); the app's images removed from the engine. On a
 * docker driver the prunes, and the removals always, hold the engine's lock
 * alone (engine-lock.ts).
 * `env` reaches the engine and builder as the step does (DOCKER_HOST, PATH,
 * BUILDX_CONFIG, DOCKER_CONFIG).
 */
export function coldRunner(
  env: Record<string, string>,
  builder: string,
  nonce: string,
  images: string[] = []
): void {
  const command = (argv: string[], input = '') => {
    const [file, ...args] = argv
    return execFileSync(file, args, {
      env: { ...process.env, ...env },
      encoding: 'utf8',
      input,
      // buildx du --verbose grows with the builder's whole cache (shared by every test)
      maxBuffer: 256 * 1024 * 1024
    })
  }
  const run = (args: string[]) => command(['docker', ...args])
  // what changes the engine's own store waits for the steps on it (test/support/engine-lock.ts)
  const { DOCKER_HOST } = { ...process.env, ...env }
  const alone = (args: string[]) =>
    command(aloneOnEngine(DOCKER_HOST, ['docker', ...args]))
  const onEngine = builder === 'default'
  const on = ['--builder', builder]
  const records = cacheRecords(args => run([...args, ...on]))
  const gone = new Set(
    records.filter(r => r.description.includes(nonce)).map(r => r.id)
  )
  for (let grew = true; grew;) {
    grew = false
    for (const record of records)
      if (record.parents.some(p => gone.has(p)) && !gone.has(record.id)) {
        gone.add(record.id)
        grew = true
      }
  }
  for (const image of images)
    try {
      alone(['image', 'rm', '-f', image])
    } catch {
      // not in the engine: nothing to remove
    }
  // a record another one is built on is pruned only after that one: all in one command, so a
  // docker driver's prunes take the engine's lock once
  const order: string[] = []
  let left = records.filter(r => gone.has(r.id))
  while (left.length > 0) {
    const leaves = left.filter(r => !left.some(c => c.parents.includes(r.id)))
    order.push(...leaves.map(r => r.id))
    left = left.filter(r => !leaves.includes(r))
  }
  // one prune per line of its input (a record's id), in that order
  const pruneAll = [
    ...['xargs', '-I{}', 'docker', 'buildx', 'prune', '-af'],
    ...['--filter', 'id={}', ...on]
  ]
  if (order.length > 0)
    command(
      onEngine ? aloneOnEngine(DOCKER_HOST, pruneAll) : pruneAll,
      order.join('\n')
    )
  const kept = cacheRecords(args => run([...args, ...on])).filter(r =>
    r.description.includes(nonce)
  )
  if (kept.length > 0)
    throw new Error(
      `the builder ${builder} still holds ${kept.length} cache record(s) of ${nonce}`
    )
}

/**
 * The app's base image in a registry of the stack, for builders that cannot
 * see the engine's images (docker-container, remote): local/busybox pushed
 * once with a docker config of its own.
 */
export function registryBase(registry: {
  host: string
  username: string
  password: string
}): string {
  const ref = `${registry.host}/app-base/busybox:latest`
  const config = mkdtempSync(join(tmpdir(), 'dpa-base-config-'))
  const env = { ...process.env, DOCKER_CONFIG: config }
  execFileSync(
    'docker',
    ['login', '-u', registry.username, '--password-stdin', registry.host],
    { env, input: registry.password, stdio: 'pipe' }
  )
  // the two e2e lanes may push it at once; the machine's engine holds the tag, so one at a time:
  // else one lane's `image rm` can come between the other's tag and push
  const tagPushRemove =
    'docker tag local/busybox:latest "$0" && docker push "$0" && docker image rm "$0"'
  execFileSync(
    'flock',
    [join(tmpdir(), 'dpa-app-base.lock'), 'sh', '-c', tagPushRemove, ref],
    { env, stdio: 'pipe' }
  )
  return ref
}
