import { readFileSync } from 'node:fs'
import { errorMessage } from '../errors/input-error.js'

/**
 * Reads and parses the event payload the runner wrote to GITHUB_EVENT_PATH.
 * No path (outside Actions) gives an empty payload; a path that cannot be read
 * or parsed is an Error that names it.
 */
export function readEventPayload(path: string | undefined): unknown {
  if (path === undefined || path.trim() === '') return {}
  let content: string
  try {
    content = readFileSync(path, 'utf8')
  } catch (error) {
    throw new Error(
      `cannot read the event payload GITHUB_EVENT_PATH=${path}: ${errorMessage(error)}`
    )
  }
  try {
    return JSON.parse(content) as unknown
  } catch (error) {
    throw new Error(
      `the event payload GITHUB_EVENT_PATH=${path} is not valid JSON: ${errorMessage(error)}`
    )
  }
}
