import * as core from './toolkit.js'

/** What main leaves for the post step: only what it must undo. */
export interface MainState {
  /** Registries main logged in to, in order. */
  registries: string[]
  /** main's own temporary folder (metadata, secret files). */
  tempDir: string
}

const KEY = 'docker-publish'

export function saveState(state: MainState): void {
  core.saveState(KEY, JSON.stringify(state))
}

/** The saved state, or an empty one when main saved none (or it is unreadable). */
export function loadState(): MainState {
  const empty: MainState = { registries: [], tempDir: '' }
  const text = core.getState(KEY)
  if (text === '') return empty
  const parsed = JSON.parse(text) as Partial<MainState>
  return {
    registries: Array.isArray(parsed.registries)
      ? parsed.registries.filter((r): r is string => typeof r === 'string')
      : [],
    tempDir: typeof parsed.tempDir === 'string' ? parsed.tempDir : ''
  }
}
