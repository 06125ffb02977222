/**
 * A prune of an engine's own BuildKit fails a build that exports on that engine meanwhile: a
 * step on Docker 26.1's containerd store ended `ERROR: failed to solve: not found` after its OCI
 * export was done, while cache-auto's cold runner pruned its app's records on the same engine
 * (reruns.test.ts beside it: 8 files of 8 failed; 0 of 4 without the prune). The e2e lanes share
 * the stack's engines, so every step holds its engine's lock shared for its life, and a prune or
 * an image removal on the engine takes the lock alone: it waits for the steps under way, and
 * steps wait for it.
 */
import { execFileSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock'
/** A step or prune that waits longer than this for the lock fails (flock exits 1). */
const WAIT_SECONDS = '900'

/** A program's path on this process's PATH: a step's own PATH may hold neither (PATH: /nonexistent). */
const programs = new Map<string, string>()
function program(name: string): string {
  const known = programs.get(name)
  if (known !== undefined) return known
  const path = execFileSync('which', [name], { encoding: 'utf8' }).trim()
  programs.set(name, path)
  return path
}

/** The lock file of the engine a step with this DOCKER_HOST talks to. */
function engineLock(dockerHost: string | undefined): string {
  const host = dockerHost ?? DEFAULT_DOCKER_HOST
  return join(tmpdir(), `dpa-engine-${host.replace(/\W+/g, '-')}.lock`)
}

/**
 * A launcher holding the engine's lock shared on fd 9, which the step's node and every docker
 * command under it inherit; `exec` keeps the process the one a test signals. bash, not sh: dash
 * drops the environment's names that are not identifiers, such as the runner's INPUT_NO-CACHE.
 */
export function sharingEngine(dockerHost: string | undefined): string[] {
  const flock = program('flock')
  return [
    program('bash'),
    '-c',
    `exec 9>>"$0" && ${flock} --shared --wait ${WAIT_SECONDS} 9 && exec "$@"`,
    engineLock(dockerHost)
  ]
}

/** `command` run with the engine's lock held alone. */
export function aloneOnEngine(
  dockerHost: string | undefined,
  command: string[]
): string[] {
  return [
    program('flock'),
    '--exclusive',
    '--wait',
    WAIT_SECONDS,
    engineLock(dockerHost),
    ...command
  ]
}
