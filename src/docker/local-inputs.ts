/** The input checks that need the file system, before any docker command, in a dry run too. */
import { readFileSync, statSync, type Stats } from 'node:fs'
import { isAbsolute, join, posix, relative, resolve, sep } from 'node:path'
import { InputError } from '../errors/input-error.js'
import type { BuildSettings } from '../settings/build-settings.js'
import type { Settings } from '../settings/settings.js'

/** Where the run resolves relative paths, and its environment (SSH_AUTH_SOCK). */
export interface Surroundings {
  cwd: string
  env: Record<string, string | undefined>
}

/** A context buildx fetches itself: a URL, a git address, `-` (stdin). */
export function isRemoteContext(context: string): boolean {
  return (
    context === '-' ||
    /^[a-z][a-z0-9+.-]*:\/\//i.test(context) ||
    context.startsWith('git@') ||
    context.startsWith('github.com/') ||
    context.includes('#')
  )
}

function stat(path: string): Stats | undefined {
  try {
    return statSync(path)
  } catch {
    return undefined
  }
}

function checkContext(context: string, cwd: string): string {
  const dir = resolve(cwd, context)
  if (stat(dir)?.isDirectory() !== true)
    throw new InputError(
      'context',
      context,
      `expected a directory (${dir} ${stat(dir) ? 'is a file' : 'does not exist'}; ` +
        'relative paths start at the workspace) or a remote context: a git URL (https://…, ' +
        'git@…, …#ref) or -'
    )
  return dir
}

/** The Dockerfile buildx will read: `file` from the workspace, else <context>/Dockerfile. */
function checkDockerfile(file: string, contextDir: string, cwd: string) {
  const path = file === '' ? join(contextDir, 'Dockerfile') : resolve(cwd, file)
  if (stat(path)?.isFile() === true) return path
  throw file === ''
    ? new InputError(
        'file',
        '',
        `no Dockerfile in the context (${path} does not exist): set file to the Dockerfile's path`
      )
    : new InputError(
        'file',
        file,
        `expected the path of a Dockerfile (${path} is not a file; relative paths start at the ` +
          `workspace, not the context)`
      )
}

/** The stage names of a Dockerfile (`FROM image AS name`), lower-cased. */
export function dockerfileStages(text: string): string[] {
  return [...text.matchAll(/^\s*FROM\s+.*?\s+AS\s+(\S+)\s*$/gim)].map(match =>
    match[1].toLowerCase()
  )
}

function checkTarget(target: string, dockerfile: string): void {
  const stages = dockerfileStages(readFileSync(dockerfile, 'utf8'))
  if (!stages.includes(target.toLowerCase()))
    throw new InputError(
      'target',
      target,
      stages.length === 0
        ? `${dockerfile} names no stage (FROM … AS name): leave target empty`
        : `expected a stage of ${dockerfile}: ${stages.join(', ')}`
    )
}

/** `default`, `id` (the agent at SSH_AUTH_SOCK) or `id=path[,path]` (sockets or keys). */
function checkSsh(lines: string[], { cwd, env }: Surroundings): void {
  for (const line of lines) {
    const at = line.indexOf('=')
    const id = at < 0 ? line : line.slice(0, at)
    if (id === '' || /[\s,]/.test(id))
      throw new InputError(
        'ssh',
        line,
        'expected default, an id, or id=path[,path] (agent sockets or private keys)'
      )
    // buildx splits an ssh spec's paths at every comma (no CSV quoting)
    const paths = at < 0 ? [] : line.slice(at + 1).split(',')
    const agent = env.SSH_AUTH_SOCK ?? ''
    if (at < 0 && (agent === '' || stat(agent) === undefined))
      throw new InputError(
        'ssh',
        line,
        `this uses the ssh agent, but SSH_AUTH_SOCK ` +
          `${agent === '' ? 'is not set' : `(${agent}) does not exist`}: ` +
          'start one (e.g. webfactory/ssh-agent) or give id=path of a key'
      )
    for (const path of paths)
      if (path.trim() === '' || stat(resolve(cwd, path.trim())) === undefined)
        throw new InputError(
          'ssh',
          line,
          `expected id=path[,path] of existing agent sockets or keys: ` +
            `${resolve(cwd, path.trim())} does not exist`
        )
  }
}

/** Fails on the first local input the build could not use. */
export function checkLocalInputs(settings: Settings, where: Surroundings) {
  if (settings.mode !== 'build' && settings.mode !== 'digest') return
  const { context, file, target, ssh } = settings.build
  if (!isRemoteContext(context)) {
    const contextDir = checkContext(context, where.cwd)
    if (file !== '-') {
      const dockerfile = checkDockerfile(file, contextDir, where.cwd)
      if (target !== '') checkTarget(target, dockerfile)
    }
  }
  checkSsh(ssh, where)
}

/** The Dockerfile as the workspace (or a Git context's repository) names it, for annotations. */
export function annotationFile(
  build: Pick<BuildSettings, 'context' | 'file'>,
  cwd: string,
  workspace: string
): string | undefined {
  const { context, file } = build
  if (file === '-') return
  if (isRemoteContext(context)) return inRepository(context, file)
  const path = resolve(cwd, file === '' ? join(context, 'Dockerfile') : file)
  const inWorkspace = relative(resolve(workspace), path)
  if (
    inWorkspace === '' ||
    inWorkspace.startsWith('..') ||
    isAbsolute(inWorkspace)
  )
    return
  return inWorkspace.split(sep).join('/')
}

// a Git URL (`….git`, `….git#ref[:subdir]`, git://, git@): the repository's files
const GIT_URL = /^(?:git:\/\/|git@)|\.git(?:#|$)/

/** A Git context's Dockerfile inside the subdir after `#ref:`; none that leaves the repository. */
function inRepository(context: string, file: string): string | undefined {
  if (!GIT_URL.test(context)) return
  const fragment = context.split('#')[1] ?? ''
  const at = fragment.indexOf(':')
  const subdir = at < 0 ? '.' : fragment.slice(at + 1)
  const path = posix.normalize(posix.join(subdir, file || 'Dockerfile'))
  return path.startsWith('..') || posix.isAbsolute(path) ? undefined : path
}
