import * as core from '@actions/core'

/** What main leaves for the post step: only what it must undo. */
export interface MainState {
  /** main's own folder: its docker config (our logins), metadata, secret files. */
  tempDir: string
  /** The builder main made for the run (its buildx state is in tempDir), if any. */
  builder?: string
}

const KEY = 'docker-publish'

export function saveState(state: MainState): void {
  core.saveState(KEY, JSON.stringify(state))
}

/** The saved state, or an empty one when main saved none (or it is unreadable). */
export function loadState(): MainState {
  const text = core.getState(KEY)
  if (text === '') return { tempDir: '' }
  const parsed = JSON.parse(text) as Partial<MainState>
  return {
    tempDir: typeof parsed.tempDir === 'string' ? parsed.tempDir : '',
    ...(typeof parsed.builder === 'string' && { builder: parsed.builder })
  }
}
