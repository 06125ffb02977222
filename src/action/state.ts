import * as core from '@actions/core'

/** What main leaves for the post step: only what it must undo. */
export interface MainState {
  /** main's own folder: its docker config (our logins), metadata, secret files. */
  tempDir: string
  /** The builder main made for the run (its buildx state is in tempDir), if any. */
  builder?: string
  /** The cache entries main left unwritten (cache-spool.ts), for the post step to write. */
  cacheSpool?: string
}

const KEY = 'docker-publish'

/** What main saved so far: each save adds to it. */
let saved: MainState = { tempDir: '' }

export function saveState(state: Partial<MainState>): void {
  saved = { ...saved, ...state }
  core.saveState(KEY, JSON.stringify(saved))
}

/** The saved state, or an empty one when main saved none (or it is unreadable). */
export function loadState(): MainState {
  const text = core.getState(KEY)
  if (text === '') return { tempDir: '' }
  const parsed = JSON.parse(text) as Partial<MainState>
  return {
    tempDir: typeof parsed.tempDir === 'string' ? parsed.tempDir : '',
    ...(typeof parsed.builder === 'string' && { builder: parsed.builder }),
    ...(typeof parsed.cacheSpool === 'string' && {
      cacheSpool: parsed.cacheSpool
    })
  }
}
