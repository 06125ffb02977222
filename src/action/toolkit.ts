/**
 * The slice of the Actions runner protocol this action uses: inputs from
 * INPUT_* env, workflow commands on stdout, and the GITHUB_OUTPUT /
 * GITHUB_STATE / GITHUB_STEP_SUMMARY files. It stands in for @actions/core,
 * which statically loads an HTTP stack (undici, for its OIDC client) that
 * tripled this action's start-up time; test/unit/action/toolkit.test.ts
 * checks the files it writes against @actions/core's own.
 */
import { randomUUID } from 'node:crypto'
import { appendFileSync } from 'node:fs'
import { EOL } from 'node:os'

function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

function command(name: string, message: string): void {
  process.stdout.write(`::${name}::${escapeData(message)}${EOL}`)
}

/** An input as the workflow gave it, whitespace kept (core's trimWhitespace: false). */
export function getRawInput(name: string): string {
  return process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? ''
}

export function getInput(name: string): string {
  return getRawInput(name).trim()
}

/** Appends `name<<delimiter` … to a runner file, or falls back to the old stdout command. */
function fileCommand(
  envName: string,
  legacy: string,
  name: string,
  value: string
): void {
  const file = process.env[envName]
  if (file === undefined || file === '') {
    process.stdout.write(`::${legacy} name=${name}::${escapeData(value)}${EOL}`)
    return
  }
  const delimiter = `ghadelimiter_${randomUUID()}`
  if (name.includes(delimiter) || value.includes(delimiter))
    throw new Error(
      `unexpected input: ${name} contains the delimiter ${delimiter}`
    )
  appendFileSync(
    file,
    `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`
  )
}

export function setOutput(name: string, value: string): void {
  fileCommand('GITHUB_OUTPUT', 'set-output', name, value)
}

/** Sets an environment variable for this and every later step of the job. */
export function exportVariable(name: string, value: string): void {
  process.env[name] = value
  fileCommand('GITHUB_ENV', 'set-env', name, value)
}

export function saveState(name: string, value: string): void {
  fileCommand('GITHUB_STATE', 'save-state', name, value)
}

export function getState(name: string): string {
  return process.env[`STATE_${name}`] ?? ''
}

/** Tells the runner to mask this value in every later log line. */
export function setSecret(value: string): void {
  if (value !== '') command('add-mask', value)
}

export function info(message: string): void {
  process.stdout.write(`${message}${EOL}`)
}

export const warning = (message: string): void => command('warning', message)
export const notice = (message: string): void => command('notice', message)
export const error = (message: string): void => command('error', message)

export function setFailed(message: string): void {
  process.exitCode = 1
  error(message)
}

export async function group<T>(
  name: string,
  work: () => Promise<T>
): Promise<T> {
  command('group', name)
  try {
    return await work()
  } finally {
    command('endgroup', '')
  }
}

/** Appends Markdown to the job summary (no-op outside a runner). */
export function appendSummary(markdown: string): void {
  const file = process.env.GITHUB_STEP_SUMMARY
  if (file !== undefined && file !== '') appendFileSync(file, markdown)
}
