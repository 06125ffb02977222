import { readFileSync } from 'node:fs'
import { errorMessage } from '../errors/input-error.js'

/**
 * The event payload at GITHUB_EVENT_PATH; {} without a path, an Error naming one that cannot be
 * read or parsed.
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
