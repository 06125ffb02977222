import { describe, expect, it } from '@jest/globals'
import { formatDate, isValidTimeZone } from '../../../src/tags/datefmt.js'

const AFTERNOON = new Date('2020-01-10T15:25:50.123Z')
const HALF_PAST_MIDNIGHT = new Date('2020-01-10T00:30:00Z')

describe('formatDate (moment.js tokens)', () => {
  it.each([
    // The examples in metadata-action's README.
    {
      name: 'YYYYMMDD',
      date: HALF_PAST_MIDNIGHT,
      format: 'YYYYMMDD',
      tz: 'UTC',
      expected: '20200110'
    },
    {
      name: 'README long format',
      date: AFTERNOON,
      format: 'dddd, MMMM Do YYYY, h:mm:ss a',
      tz: 'UTC',
      expected: 'Friday, January 10th 2020, 3:25:50 pm'
    },
    {
      name: 'Asia/Tokyo',
      date: HALF_PAST_MIDNIGHT,
      format: 'YYYYMMDD-HHmmss',
      tz: 'Asia/Tokyo',
      expected: '20200110-093000'
    },
    {
      name: 'ISO with [Z] literal',
      date: AFTERNOON,
      format: 'YYYY-MM-DDTHH:mm:ss.SSS[Z]',
      tz: 'UTC',
      expected: '2020-01-10T15:25:50.123Z'
    },
    // Every other token.
    {
      name: 'short forms',
      date: AFTERNOON,
      format: 'YY M D H m s',
      tz: 'UTC',
      expected: '20 1 10 15 25 50'
    },
    { name: 'Y', date: AFTERNOON, format: 'Y', tz: 'UTC', expected: '2020' },
    {
      name: '12-hour with AM/PM',
      date: AFTERNOON,
      format: 'hh A',
      tz: 'UTC',
      expected: '03 PM'
    },
    {
      name: 'midnight is 12 am',
      date: HALF_PAST_MIDNIGHT,
      format: 'h a',
      tz: 'UTC',
      expected: '12 am'
    },
    {
      name: 'k is 1-24',
      date: HALF_PAST_MIDNIGHT,
      format: 'k kk',
      tz: 'UTC',
      expected: '24 24'
    },
    {
      name: 'weekday names and number',
      date: AFTERNOON,
      format: 'ddd dd d e E',
      tz: 'UTC',
      expected: 'Fri Fr 5 5 5'
    },
    {
      name: 'month name and ordinal',
      date: AFTERNOON,
      format: 'MMM Mo',
      tz: 'UTC',
      expected: 'Jan 1st'
    },
    {
      name: 'day of year',
      date: AFTERNOON,
      format: 'DDD DDDD',
      tz: 'UTC',
      expected: '10 010'
    },
    {
      name: 'Sunday is d 0, E 7',
      date: new Date('2020-01-12T12:00:00Z'),
      format: 'd E',
      tz: 'UTC',
      expected: '0 7'
    },
    { name: 'quarter', date: AFTERNOON, format: 'Q', tz: 'UTC', expected: '1' },
    {
      name: 'ISO week',
      date: AFTERNOON,
      format: 'W WW',
      tz: 'UTC',
      expected: '2 02'
    },
    {
      name: 'fractions',
      date: AFTERNOON,
      format: 'S SS SSSS',
      tz: 'UTC',
      expected: '1 12 1230'
    },
    {
      name: 'unix seconds and ms',
      date: AFTERNOON,
      format: 'X x',
      tz: 'UTC',
      expected: '1578669950 1578669950123'
    },
    {
      name: 'UTC offset',
      date: AFTERNOON,
      format: 'Z ZZ',
      tz: 'UTC',
      expected: '+00:00 +0000'
    },
    {
      name: 'half-hour offset',
      date: AFTERNOON,
      format: 'Z ZZ',
      tz: 'Asia/Kolkata',
      expected: '+05:30 +0530'
    },
    {
      name: 'negative offset',
      date: AFTERNOON,
      format: 'HH:mm Z',
      tz: 'America/New_York',
      expected: '10:25 -05:00'
    },
    {
      name: 'summer time',
      date: new Date('2020-07-01T12:00:00Z'),
      format: 'HH:mm ZZ',
      tz: 'Europe/Berlin',
      expected: '14:00 +0200'
    },
    {
      name: 'the zone changes the day',
      date: new Date('2020-01-10T23:30:00Z'),
      format: 'YYYYMMDD ddd',
      tz: 'Asia/Tokyo',
      expected: '20200111 Sat'
    },
    {
      name: 'ordinals of quarter, day of year, weekday and ISO week',
      date: new Date('2021-01-03T12:00:00Z'),
      format: 'Qo DDDo do Wo',
      tz: 'UTC',
      expected: '1st 3rd 0th 53rd'
    },
    {
      name: 'ISO week-year differs from the year',
      date: new Date('2021-01-03T12:00:00Z'),
      format: 'GGGG-[W]WW GG YYYY',
      tz: 'UTC',
      expected: '2020-W53 20 2021'
    },
    {
      name: 'five- and six-digit years',
      date: AFTERNOON,
      format: 'YYYYY YYYYYY',
      tz: 'UTC',
      expected: '02020 +002020'
    },
    {
      name: 'a backslash makes the next token literal',
      date: AFTERNOON,
      format: '\\YYYY \\hmm YYYY',
      tz: 'UTC',
      expected: 'YYYY hmm 2020'
    },
    {
      name: 'a bracket run ends at the last ] before the next [',
      date: AFTERNOON,
      format: '[a] Y] [b]',
      tz: 'UTC',
      expected: 'a] Y b'
    },
    {
      name: 'empty format is ISO 8601, Z at offset zero',
      date: AFTERNOON,
      format: '',
      tz: 'UTC',
      expected: '2020-01-10T15:25:50Z'
    },
    {
      name: 'empty format is ISO 8601 with the offset',
      date: AFTERNOON,
      format: '',
      tz: 'Asia/Kolkata',
      expected: '2020-01-10T20:55:50+05:30'
    },
    {
      name: 'bracketed text and other characters are literal',
      date: AFTERNOON,
      format: '[YYYY]-T/_',
      tz: 'UTC',
      expected: 'YYYY-T/_'
    }
  ])('$name', ({ date, format, tz, expected }) => {
    expect(formatDate(date, format, tz)).toBe(expected)
  })

  it.each([
    { day: 1, expected: '1st' },
    { day: 2, expected: '2nd' },
    { day: 3, expected: '3rd' },
    { day: 4, expected: '4th' },
    { day: 11, expected: '11th' },
    { day: 12, expected: '12th' },
    { day: 13, expected: '13th' },
    { day: 21, expected: '21st' },
    { day: 22, expected: '22nd' },
    { day: 23, expected: '23rd' }
  ])('Do of day $day is $expected', ({ day, expected }) => {
    expect(formatDate(new Date(Date.UTC(2020, 0, day)), 'Do')).toBe(expected)
  })
})

describe('formatDate renders the tokens of a locale, an era or a zone name as metadata-action', () => {
  it.each([
    { name: 'locale week', format: 'YYYY-wo', expected: '2020-2nd' },
    { name: 'locale week-year', format: 'gggg', expected: '2020' },
    {
      name: 'localized format',
      format: '[on] LL',
      expected: 'on January 10, 2020'
    },
    { name: 'era', format: 'YYYY N', expected: '2020 AD' },
    { name: 'zone name', format: 'HH:mm z', expected: '15:25 UTC' }
  ])('$name ($format)', ({ format, expected }) => {
    expect(formatDate(AFTERNOON, format)).toBe(expected)
  })
})

describe('isValidTimeZone', () => {
  it.each([
    { zone: 'UTC', expected: true },
    { zone: 'Asia/Tokyo', expected: true },
    { zone: 'Mars/Olympus', expected: false }
  ])('$zone → $expected', ({ zone, expected }) => {
    expect(isValidTimeZone(zone)).toBe(expected)
  })
})
