/**
 * Differential tests: formatDate against moment-timezone, which
 * metadata-action renders `{{date}}` and `{{commit_date}}` with
 * (`moment(date).tz(zone).format(fmt)`).
 */
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import moment from 'moment-timezone'
import { DateFormatError, formatDate } from '../../../src/tags/datefmt.js'

const ZONES = [
  'UTC',
  'Europe/London', // offset 0 but not UTC; +01:00 in summer
  'Asia/Kolkata', // +05:30
  'Australia/Adelaide', // +09:30 / +10:30
  'Asia/Kathmandu', // +05:45
  'Pacific/Chatham', // +12:45 / +13:45
  'America/St_Johns', // -03:30 / -02:30
  'America/New_York',
  'America/Los_Angeles',
  'Europe/Berlin',
  'Australia/Sydney',
  'Pacific/Kiritimati' // +14:00
]

const HOUR = 3_600_000
/** Instants where a zone changes its offset (UTC). */
const TRANSITIONS = [
  '2024-03-10T07:00:00Z', // New York springs forward
  '2024-11-03T06:00:00Z', // New York falls back
  '2024-03-31T01:00:00Z', // Berlin springs forward
  '2024-10-27T01:00:00Z', // Berlin falls back
  '2024-04-06T16:00:00Z', // Sydney falls back
  '2024-10-05T16:00:00Z', // Sydney springs forward
  '2024-04-06T16:30:00Z', // Adelaide falls back
  '2024-10-05T16:30:00Z' // Adelaide springs forward
].map(iso => Date.parse(iso))

const EDGES = [
  ...TRANSITIONS.flatMap(t => [t - 1, t]),
  // Year boundaries, ISO week-year edges, leap days.
  '2019-12-30T00:00:00Z', // ISO week 1 of 2020
  '2020-12-31T23:59:59.999Z', // ISO week 53 of 2020
  '2021-01-01T00:00:00Z',
  '2021-01-03T12:00:00Z', // still ISO week 53 of 2020
  '2021-01-04T00:00:00Z',
  '2024-12-30T08:00:00Z', // ISO week 1 of 2025
  '2026-12-31T22:30:00Z', // 2027 east of UTC
  '2027-01-01T00:15:00Z', // 2026 west of UTC
  '2000-02-29T12:00:00.5Z',
  '2024-02-29T23:45:00.007Z',
  '2100-03-01T00:00:00Z',
  '2020-01-10T15:25:50.123Z',
  '1970-01-01T00:00:00Z',
  '2038-01-19T03:14:07Z'
].map(t => new Date(t))

/** Every token datefmt.ts documents as supported. */
const SUPPORTED = (
  'Y YY YYYY YYYYY YYYYYY Q Qo M MM Mo MMM MMMM D DD Do DDD DDDD DDDo ' +
  'd do dd ddd dddd e E W WW Wo GG GGGG GGGGG H HH h hh k kk m mm s ss ' +
  'S SS SSS SSSS SSSSS SSSSSS SSSSSSS SSSSSSSS SSSSSSSSS a A Z ZZ X x'
).split(' ')

/** The tokens datefmt.ts rejects (metadata-action renders them). */
const REJECTED = (
  'w ww wo gg gggg ggggg N NN NNN NNNN NNNNN y yy yyy yyyy yo z zz ' +
  'L LL LLL LLLL l ll lll llll LT LTS'
).split(' ')

/** Each supported token, labelled: `[Y=]Y [YY=]YY …`. */
const ALL_TOKENS = SUPPORTED.map(token => `[${token}=]${token}`).join(' ')

/** Formats whose output depends on the instant and the zone. */
const DATE_FORMATS = [
  'YYYYMMDD',
  'YYYYMMDD-HHmmss',
  'YYYY-MM-DDTHH:mm:ss.SSSZ',
  'YYYY-MM-DDTHH:mm:ss[Z]',
  'dddd, MMMM Do YYYY, h:mm:ss a',
  'GGGG-[W]WW-E',
  '[week] Wo [of] GGGG, [day] DDDo, Qo [quarter], do [weekday]',
  'YYYYY YYYYYY YYY MMMMM DDDDD ddddd SSSSSSSSSS ZZZ kkk',
  'hmm Hmmss eHHmm Ymo'
].join(' [|] ')

/** Formats that test how the text is read. */
const TEXT_FORMATS = [
  ...DATE_FORMATS.split(' [|] '),
  // Escapes: \ makes the next token literal, \\ vanishes, \e is one unit.
  '\\YYYY \\[x] \\eHHmm \\hmm \\\\ \\L \\\\Y \\',
  'W| w| Wo|',
  // Bracket runs end at the last ] before the next [.
  '[a] Y] [b',
  '[[x]] [] [',
  // Letters that are not moment tokens are literal.
  'T g G q O o p P n i f F j J t u U v V b B c C I K R',
  'YYYY\nMM\r\u2028DD',
  'ü 🚀 YYYY'
]

const MIN = Date.parse('1971-01-01T00:00:00Z')
const MAX = Date.parse('2037-12-31T23:59:59.999Z')

function expected(date: Date, format: string, zone: string): string {
  return moment(date).tz(zone).format(format)
}

/** formatDate's result, or the token it rejected. */
function attempt(
  date: Date,
  format: string,
  zone: string
): { out: string } | { rejected: string } {
  try {
    return { out: formatDate(date, format, zone) }
  } catch (error) {
    if (error instanceof DateFormatError) return { rejected: error.token }
    throw error
  }
}

/**
 * Why formatDate is wrong for this input, or undefined: it must print what
 * moment prints (`theirs`), or (only where `mayReject`) reject a token of
 * REJECTED that the format holds.
 */
function problem(
  date: Date,
  format: string,
  zone: string,
  mayReject: boolean,
  theirs = expected(date, format, zone)
): string | undefined {
  const result = attempt(date, format, zone)
  const where = `${zone} ${date.toISOString()} ${JSON.stringify(format)}`
  if ('out' in result) {
    if (result.out === theirs) return undefined
    return `${where} → ${JSON.stringify(result.out)} ≠ ${JSON.stringify(theirs)}`
  }
  const token = result.rejected
  if (mayReject && REJECTED.includes(token) && format.includes(token)) {
    return undefined
  }
  return `${where} → rejected ${JSON.stringify(token)}, moment gives ${JSON.stringify(theirs)}`
}

/** Every problem over dates × formats × zones. */
function problems(
  dates: Date[],
  formats: string[],
  zones: string[],
  mayReject = false
): string[] {
  return zones.flatMap(zone =>
    dates.flatMap(date => {
      const theirs = moment(date).tz(zone)
      return formats.flatMap(
        format =>
          problem(date, format, zone, mayReject, theirs.format(format)) ?? []
      )
    })
  )
}

const instant = fc.oneof(
  fc.date({ min: new Date(MIN), max: new Date(MAX), noInvalidDate: true }),
  fc
    .tuple(
      fc.constantFrom(...TRANSITIONS),
      fc.integer({ min: -2 * HOUR, max: 2 * HOUR })
    )
    .map(([t, delta]) => new Date(t + delta))
)
const zone = fc.constantFrom(...ZONES)

describe('formatDate matches moment-timezone', () => {
  it('renders every supported token, combinations and the empty format', () => {
    const formats = [`${ALL_TOKENS} [|] ${DATE_FORMATS}`, '']
    expect(problems(EDGES, formats, ZONES)).toEqual([])
  })

  it('reads escapes, brackets, line breaks and other letters as moment', () => {
    const dates = EDGES.filter((_, i) => i % 9 === 0)
    expect(problems(dates, TEXT_FORMATS, ZONES.slice(0, 5))).toEqual([])
  })

  it('renders every one- and two-character format of letters and marks', () => {
    const chars = [
      ...'abcdefghijkmnopqrstuvxyzABCDEFGHIJKMOPQRSTUVWXYZ',
      ...'0 -:[]\\|'
    ]
    const formats = chars.flatMap(a => [a, ...chars.map(b => a + b)])
    const dates = [new Date('2024-12-30T08:09:05.042Z')]
    expect(problems(dates, formats, ['Asia/Kathmandu'], true)).toEqual([])
  })

  it('renders generated formats of tokens and text at generated instants', () => {
    const piece = fc.oneof(
      fc.constantFrom(...SUPPORTED),
      fc.constantFrom(...'-_.:/ T[]\\|o'),
      fc.string({ maxLength: 4 }).map(text => `[${text.replace(/\[/g, '')}]`)
    )
    fc.assert(
      fc.property(
        instant,
        zone,
        fc.array(piece, { maxLength: 8 }),
        (date, tz, pieces) => {
          const format = pieces.join('')
          // A \ before [ can unbracket a rejected token, as in moment.
          expect(problem(date, format, tz, true)).toBeUndefined()
        }
      ),
      { numRuns: 500 }
    )
  })

  it('renders any text as moment does, or rejects a real moment token', () => {
    const text = fc.string({
      unit: fc.constantFrom(...'YMDdeEWwGgQHhkmsSaAZXxLlNyzo[]\\| -:T'),
      maxLength: 12
    })
    fc.assert(
      fc.property(instant, zone, text, (date, tz, format) => {
        expect(problem(date, format, tz, true)).toBeUndefined()
      }),
      { numRuns: 500 }
    )
  })
})

describe('formatDate rejects the moment tokens it does not support', () => {
  const date = new Date('2020-01-10T15:25:50.123Z')

  it.each(REJECTED.map(token => ({ token })))(
    '$token is a real moment token',
    ({ token }) => {
      expect(expected(date, token, 'Asia/Kolkata')).not.toBe(token)
    }
  )

  it.each([
    ...REJECTED.map(token => ({ format: token, token })),
    { format: 'YYYY-ww', token: 'ww' },
    { format: '[week] wo', token: 'wo' },
    { format: 'Qo-gggg', token: 'gggg' },
    { format: 'HH:mm z', token: 'z' },
    { format: 'release-YYYY', token: 'l' },
    { format: '[a]LTS', token: 'LTS' },
    { format: 'NNNNNN', token: 'NNNNN' }
  ])('$format names $token', ({ format, token }) => {
    expect(() => formatDate(date, format, 'UTC')).toThrow(
      new RegExp(
        `token "${token}" \\(.+\\), which is not supported; ` +
          'supported tokens: Y YY .* a A Z ZZ X x; put literal text in \\[brackets\\]'
      )
    )
  })

  it.each([
    { name: 'bracketed', format: '[w z L N y]' },
    { name: 'escaped', format: '\\w \\z \\L \\N \\y \\gg' },
    { name: 'not a token alone', format: 'g G W| w|' }
  ])('accepts $name look-alikes, as moment prints them', ({ format }) => {
    expect(formatDate(date, format, 'UTC')).toBe(expected(date, format, 'UTC'))
  })
})
