import { describe, expect, it } from '@jest/globals'
import { createdTime, runTime } from '../../../src/context/run-time.js'

const NOW = new Date('2024-05-01T12:00:00Z')
const now = () => NOW

describe('runTime', () => {
  it.each([
    {
      name: 'SOURCE_DATE_EPOCH in seconds',
      epoch: '1700000000',
      expected: new Date('2023-11-14T22:13:20Z')
    },
    { name: 'zero is 1970', epoch: '0', expected: new Date(0) },
    {
      name: 'surrounding blanks are ignored',
      epoch: ' 1700000000\n',
      expected: new Date('2023-11-14T22:13:20Z')
    },
    { name: 'unset: now', epoch: undefined, expected: NOW },
    { name: 'empty: now', epoch: '', expected: NOW },
    { name: 'blank: now', epoch: '  ', expected: NOW }
  ])('$name', ({ epoch, expected }) => {
    expect(runTime(epoch, now)).toEqual(expected)
  })

  it.each([
    { name: 'a date', epoch: '2024-05-01' },
    { name: 'milliseconds with a fraction', epoch: '1700000000.5' },
    { name: 'negative', epoch: '-1' },
    { name: 'words', epoch: 'yesterday' }
  ])('not a whole number of seconds: $name', ({ epoch }) => {
    expect(() => runTime(epoch, now)).toThrow(
      `SOURCE_DATE_EPOCH ${JSON.stringify(epoch)} is not a whole number of seconds since 1970`
    )
  })
})

describe('createdTime', () => {
  const NOW = new Date('2026-11-23T05:00:00Z')
  const COMMIT = new Date('2024-11-07T15:45:00Z')
  it.each([
    {
      name: 'the commit time by default: a re-run builds alike',
      epoch: undefined,
      commit: COMMIT,
      expected: COMMIT
    },
    {
      name: 'SOURCE_DATE_EPOCH wins (now already is that time)',
      epoch: '1700000000',
      commit: COMMIT,
      expected: NOW
    },
    {
      name: 'no commit time known (a payload without one): now',
      epoch: '',
      commit: undefined,
      expected: NOW
    }
  ])('$name', ({ epoch, commit, expected }) => {
    expect(createdTime(epoch, commit, NOW)).toEqual(expected)
  })
})
