/**
 * A prune of an engine's own BuildKit fails a build that exports on that engine meanwhile: a
 * step on Docker 26.1's containerd store ended `ERROR: failed to solve: not found` after its OCI
 * export was done, while cache-auto's cold runner pruned its app's records on the same engine
 * (reruns.test.ts beside it: 8 files of 8 failed; 0 of 4 without the prune). The e2e lanes share
 * the stack's engines, so every step, and every build a test runs itself, holds its engine's lock
 * shared for its life; a prune or an image removal on the engine takes the lock alone: it waits
 * for what holds it, and what comes after waits for it. A gate in front of the lock gives the
 * prune its turn: a step passes the gate shared on its way in, and the prune holds it alone while
 * it waits, so steps that keep coming cannot starve it (flock serves no queue).
 */
import { execFileSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEFAULT_DOCKER_HOST } from './builders.js'

/** What waits longer than this for the lock fails, saying so. */
const WAIT_SECONDS = '600'

/** A program's path on this process's PATH: a step's own PATH may hold none (/nonexistent). */
const programs = new Map<string, string>()
function program(name: string): string {
  const known = programs.get(name)
  if (known !== undefined) return known
  const path = execFileSync('which', [name], { encoding: 'utf8' }).trim()
  programs.set(name, path)
  return path
}

/** The lock file of the engine that this DOCKER_HOST reaches (the gate is `<lock>.gate`). */
function engineLock(dockerHost: string | undefined): string {
  const host = dockerHost ?? DEFAULT_DOCKER_HOST
  return join(tmpdir(), `dpa-engine-${host.replace(/\W+/g, '-')}.lock`)
}

/**
 * Passes the gate (fd 8), then holds the lock shared on fd 9, which the command and every docker
 * command under it inherit; flock's own output goes nowhere, so a flock left waiting holds no
 * pipe of the test's. `exec` keeps the process a test signals the command's own. bash, not sh:
 * dash drops the environment's names that are not identifiers, such as the runner's
 * INPUT_NO-CACHE.
 */
const SHARED = [
  'exec 8>>"$0.gate" 9>>"$0"',
  `"$1" --shared --wait ${WAIT_SECONDS} 8 >/dev/null 2>&1`,
  `"$1" --shared --wait ${WAIT_SECONDS} 9 >/dev/null 2>&1`,
  'exec 8>&-',
  'shift',
  'exec "$@"'
].join(' && ')

/** A launcher for a command on the engine this DOCKER_HOST reaches, holding its lock shared. */
export function sharingEngine(dockerHost: string | undefined): string[] {
  const failed = `echo "the engine lock $0 was not free in ${WAIT_SECONDS} s" >&2; exit 1`
  return [
    program('bash'),
    '-c',
    `${SHARED} || { ${failed}; }`,
    engineLock(dockerHost),
    program('flock')
  ]
}

/** `command` run with the engine's lock held alone, the gate held while it waits. */
export function aloneOnEngine(
  dockerHost: string | undefined,
  command: string[]
): string[] {
  const lock = engineLock(dockerHost)
  const alone = (file: string) => [
    program('flock'),
    '--exclusive',
    '--wait',
    WAIT_SECONDS,
    file
  ]
  return [...alone(`${lock}.gate`), ...alone(lock), ...command]
}
