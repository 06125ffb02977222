/**
 * Helpers for the "in the field" tests: the user's docker config as bytes,
 * reads of the token registry T, secrets searched on disk, and the step
 * lines a run logs compared with the dry run's plan.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { StepResult } from './runner.js'
import { runDocker } from '../support/docker-cli.js'
import type { StackRegistry, StackTokenRegistry } from '../support/stack-env.js'
import { fetchToken } from '../support/token-auth.js'

/** The bytes of `<dir>/config.json` ('' when there is none). */
export function configBytes(dir: string): string {
  const file = join(dir, 'config.json')
  return existsSync(file) ? readFileSync(file, 'latin1') : ''
}

/** `docker --config <dir> login`, password on stdin; throws when docker fails. */
export async function dockerLogin(
  dir: string,
  registry: StackRegistry
): Promise<void> {
  const login = await runDocker(
    [
      '--config',
      dir,
      'login',
      registry.host,
      '--username',
      registry.username,
      '--password-stdin'
    ],
    { input: registry.password }
  )
  if (login.code !== 0)
    throw new Error(`docker login ${registry.host} failed: ${login.stderr}`)
}

/** The `state` main saved: the run's private folder. */
export function runTempDir(main: Pick<StepResult, 'state'>): string {
  return (JSON.parse(main.state['docker-publish']) as { tempDir: string })
    .tempDir
}

/** Every file under dir whose bytes contain one of the needles. */
export function filesContaining(dir: string, needles: string[]): string[] {
  if (!existsSync(dir)) return []
  const found: string[] = []
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    const stat = statSync(path, { throwIfNoEntry: false })
    if (stat === undefined) continue
    if (stat.isDirectory()) found.push(...filesContaining(path, needles))
    else if (stat.isFile()) {
      const text = readFileSync(path, 'latin1')
      if (needles.some(n => text.includes(n))) found.push(path)
    }
  }
  return found
}

/** A password as it may sit on disk: itself, or inside a docker `auth` (base64 user:password). */
export function secretForms(registry: StackRegistry): string[] {
  return [
    registry.password,
    Buffer.from(`${registry.username}:${registry.password}`).toString('base64')
  ]
}

/** GET on registry T with a pull token of carol's (T wants Bearer tokens). */
async function tokenGet(
  t: StackTokenRegistry,
  repo: string,
  path: string,
  accept?: string
): Promise<Response> {
  const token = await fetchToken(t, [`repository:${repo}:pull`], {
    username: t.username,
    password: t.password
  })
  return fetch(`http://${t.host}/v2/${repo}/${path}`, {
    headers: {
      Authorization: `Bearer ${token}`,
      ...(accept === undefined ? {} : { Accept: accept })
    }
  })
}

/** Registry T's tag list for a repository (sorted, no `build-*` staging tags). */
export async function tokenPublishedTags(
  t: StackTokenRegistry,
  repo: string
): Promise<string[]> {
  const response = await tokenGet(t, repo, 'tags/list')
  if (response.status === 404) return []
  if (!response.ok) throw new Error(`${repo} tags: HTTP ${response.status}`)
  const body = (await response.json()) as { tags: string[] | null }
  return (body.tags ?? []).filter(tag => !tag.startsWith('build-')).sort()
}

/** The digest registry T holds for repo:reference. */
export async function tokenDigest(
  t: StackTokenRegistry,
  repo: string,
  reference: string
): Promise<string> {
  const response = await tokenGet(
    t,
    repo,
    `manifests/${reference}`,
    [
      'application/vnd.oci.image.index.v1+json',
      'application/vnd.docker.distribution.manifest.list.v2+json',
      'application/vnd.oci.image.manifest.v1+json',
      'application/vnd.docker.distribution.manifest.v2+json'
    ].join(', ')
  )
  if (!response.ok)
    throw new Error(`${repo}:${reference}: HTTP ${response.status}`)
  await response.body?.cancel()
  return response.headers.get('docker-content-digest') ?? ''
}

/** An entry of the `plan` output. */
export type PlanEntry =
  | { step: string; argv: string[] }
  | {
      step: string
      method: string
      url: string
      when?: string
      username?: string
    }

/** Quotes an argument as `src/argv/format.ts` does (a person's shell line). */
function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`
}

/** A plan entry as the run logs it: the step name padded to 9, then what it does. */
export function planLine(entry: PlanEntry): string {
  const what =
    'argv' in entry
      ? `docker ${entry.argv.map(quote).join(' ')}`
      : `${entry.method} ${entry.url}${entry.username === undefined ? '' : ` as ${entry.username}, stored in this run's docker config`}${entry.when ? ` (only if ${entry.when})` : ''}`
  return `${entry.step.padEnd(9)} ${what}`
}

export function planOf(step: StepResult): PlanEntry[] {
  return JSON.parse(step.outputs.plan) as PlanEntry[]
}

/**
 * The step lines a real run logged as it ran them: lines after its Plan
 * group that start with a step name of the publication, padded as stepLine pads it.
 */
export function executedLines(step: StepResult, names: string[]): string[] {
  const lines = step.stdout.split('\n')
  const planGroup = lines.indexOf('::group::Plan')
  const afterPlan = lines.indexOf('::endgroup::', planGroup)
  const stepLine = new RegExp(
    `^(${names.map(n => n.padEnd(9).replace(/[-]/g, '\\-')).join('|')}) \\S`
  )
  return lines.slice(afterPlan + 1).filter(line => stepLine.test(line))
}

/**
 * The dry run names the run's own files by placeholders (`<metadata-file>`):
 * the real line must be the same with each placeholder a path inside the
 * run's private folder.
 */
export function sameStep(dryLine: string, tempDir: string): RegExp {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  // the layout folder stands inside an --output value, which the dry run quotes
  const unquoted = dryLine.replace(/'(type=oci,dest=<layout-dir>[^']*)'/g, '$1')
  const parts = unquoted.split(
    /'<(?:metadata-file|iid-file)>'|<file>|<layout-dir>/
  )
  // a step the run did not need says why after a dash (`— not needed: …`)
  return new RegExp(
    `^${parts.map(escape).join(`${escape(tempDir)}/[^\\s',]+`)}(?: — (?:not needed|held back): .+)?$`
  )
}
