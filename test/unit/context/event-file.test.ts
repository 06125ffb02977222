import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readEventPayload } from '../../../src/context/event-file.js'
import { EVENT_NAMES, loadEvent } from '../../fixtures/events.js'

describe('readEventPayload', () => {
  let dir: string

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dpa-event-'))
    writeFileSync(join(dir, 'broken.json'), '{"ref": "refs/heads/main",')
  })

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true })
  })

  it.each(EVENT_NAMES.map(name => ({ name })))(
    'reads the $name fixture from GITHUB_EVENT_PATH',
    ({ name }) => {
      const fixture = loadEvent(name)
      expect(readEventPayload(fixture.env.GITHUB_EVENT_PATH)).toStrictEqual(
        fixture.payload
      )
    }
  )

  it.each([
    { name: 'unset', path: undefined },
    { name: 'empty', path: '' }
  ])('gives an empty payload when the path is $name', ({ path }) => {
    expect(readEventPayload(path)).toStrictEqual({})
  })

  it('names a path that cannot be read', () => {
    const path = join(dir, 'missing.json')
    expect(() => readEventPayload(path)).toThrow(
      new RegExp(`cannot read the event payload GITHUB_EVENT_PATH=${path}: `)
    )
  })

  it('names a path whose content is not JSON', () => {
    const path = join(dir, 'broken.json')
    expect(() => readEventPayload(path)).toThrow(
      new RegExp(`GITHUB_EVENT_PATH=${path} is not valid JSON`)
    )
  })
})
