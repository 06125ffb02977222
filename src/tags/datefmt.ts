/**
 * Dates rendered with moment.js format tokens (metadata-action's
 * `{{date 'fmt' tz='Zone'}}`, English locale) on Intl (zoned.ts), so the
 * engine needs no date library; datefmt.moment.test.ts checks it against
 * moment-timezone. The format is read as moment reads it ([brackets],
 * backslash escapes, dropped line breaks, any other character as is; '' is
 * ISO 8601). Locale weeks, localized formats, eras and zone names
 * (REJECTED, LOCALIZED_PATTERN) are an error naming the token, never
 * half-rendered.
 */

import { dayOfYear, isoWeek, WEEKDAYS, zoned, type Zoned } from './zoned.js'

/** Listed in every DateFormatError. */
export const SUPPORTED_TOKENS =
  'Y YY YYYY YYYYY YYYYYY Q Qo M MM Mo MMM MMMM D DD Do DDD DDDD DDDo ' +
  'd do dd ddd dddd e E W WW Wo GG GGGG GGGGG H HH h hh k kk m mm s ss ' +
  'S…SSSSSSSSS a A Z ZZ X x'

/** A date format using a moment.js token that is not supported here. */
export class DateFormatError extends Error {
  constructor(
    readonly format: string,
    readonly token: string
  ) {
    super(
      `date format "${format}" uses the moment.js token "${token}" ` +
        `(${REJECTED.get(token) ?? 'a localized format'}), which is not ` +
        `supported; supported tokens: ${SUPPORTED_TOKENS}; ` +
        'put literal text in [brackets]'
    )
    this.name = 'DateFormatError'
  }
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December'
]

/** moment's zeroFill: the sign, then |n| padded to `width` digits. */
function zeroFill(n: number, width: number, forceSign = false): string {
  const sign = n < 0 ? '-' : forceSign ? '+' : ''
  return sign + String(Math.abs(n)).padStart(width, '0')
}

/** moment's English ordinal: 1st 2nd 3rd 4th … 11th 12th 13th … 21st. */
function ordinal(n: number): string {
  const lastTwo = n % 100
  if (lastTwo >= 11 && lastTwo <= 13) return `${n}th`
  const suffix = ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'
  return `${n}${suffix}`
}

function offsetText(minutes: number, separator: string): string {
  const sign = minutes < 0 ? '-' : '+'
  const hours = Math.floor(Math.abs(minutes) / 60)
  return `${sign}${zeroFill(hours, 2)}${separator}${zeroFill(Math.abs(minutes) % 60, 2)}`
}

type Renderer = (z: Zoned) => string

/** A number-valued token with its padded (`XX`) and ordinal (`Xo`) forms. */
function numberTokens(
  token: string,
  value: (z: Zoned) => number,
  padded?: [string, number],
  ordinalToken?: string
): [string, Renderer][] {
  const out: [string, Renderer][] = [[token, z => String(value(z))]]
  if (padded) out.push([padded[0], z => zeroFill(value(z), padded[1])])
  if (ordinalToken) out.push([ordinalToken, z => ordinal(value(z))])
  return out
}

const hour12 = (z: Zoned): number => z.hour % 12 || 12
const RENDERERS = new Map<string, Renderer>([
  ['Y', z => (z.year > 9999 ? `+${z.year}` : zeroFill(z.year, 4))],
  ['YY', z => zeroFill(z.year % 100, 2)],
  ['YYYY', z => zeroFill(z.year, 4)],
  ['YYYYY', z => zeroFill(z.year, 5)],
  ['YYYYYY', z => zeroFill(z.year, 6, true)],
  ...numberTokens('Q', z => Math.ceil(z.month / 3), undefined, 'Qo'),
  ...numberTokens('M', z => z.month, ['MM', 2], 'Mo'),
  ['MMM', z => MONTHS[z.month - 1].slice(0, 3)],
  ['MMMM', z => MONTHS[z.month - 1]],
  ...numberTokens('D', z => z.day, ['DD', 2], 'Do'),
  ...numberTokens('DDD', dayOfYear, ['DDDD', 3], 'DDDo'),
  ...numberTokens('d', z => z.weekday, undefined, 'do'),
  ['dd', z => WEEKDAYS[z.weekday].slice(0, 2)],
  ['ddd', z => WEEKDAYS[z.weekday].slice(0, 3)],
  ['dddd', z => WEEKDAYS[z.weekday]],
  // moment's English locale starts weeks on Sunday, so e equals d.
  ['e', z => String(z.weekday)],
  ['E', z => String(z.weekday === 0 ? 7 : z.weekday)],
  ...numberTokens('W', z => isoWeek(z).week, ['WW', 2], 'Wo'),
  ['GG', z => zeroFill(isoWeek(z).year % 100, 2)],
  ['GGGG', z => zeroFill(isoWeek(z).year, 4)],
  ['GGGGG', z => zeroFill(isoWeek(z).year, 5)],
  ...numberTokens('H', z => z.hour, ['HH', 2]),
  ...numberTokens('h', hour12, ['hh', 2]),
  ...numberTokens('k', z => z.hour || 24, ['kk', 2]),
  ...numberTokens('m', z => z.minute, ['mm', 2]),
  ...numberTokens('s', z => z.second, ['ss', 2]),
  ['a', z => (z.hour < 12 ? 'am' : 'pm')],
  ['A', z => (z.hour < 12 ? 'AM' : 'PM')],
  ['Z', z => offsetText(z.offset, ':')],
  ['ZZ', z => offsetText(z.offset, '')],
  ['X', z => String(Math.floor(z.epochMs / 1000))],
  ['x', z => String(z.epochMs)]
])
for (let digits = 1; digits <= 9; digits++) {
  RENDERERS.set('S'.repeat(digits), z =>
    zeroFill(z.millisecond, 3).padEnd(digits, '0').slice(0, digits)
  )
}
// Tokens moment reads as one; they only differ from their parts after a \.
for (const [token, parts] of [
  ['hmm', ['h', 'mm']],
  ['hmmss', ['h', 'mm', 'ss']],
  ['Hmm', ['H', 'mm']],
  ['Hmmss', ['H', 'mm', 'ss']],
  ['eHHmm', ['e', 'HH', 'mm']]
] as const) {
  const renderers = parts.map(part => RENDERERS.get(part) as Renderer)
  RENDERERS.set(token, z => renderers.map(render => render(z)).join(''))
}

/** moment tokens that are not supported, with what they are. */
const REJECTED = new Map<string, string>([
  ...['w', 'ww', 'wo'].map(t => [t, 'a locale week'] as const),
  ...['gg', 'gggg', 'ggggg'].map(t => [t, 'a locale week-year'] as const),
  ...['N', 'NN', 'NNN', 'NNNN', 'NNNNN'].map(t => [t, 'an era'] as const),
  ...['y', 'yy', 'yyy', 'yyyy', 'yo'].map(t => [t, 'an era year'] as const),
  ...['z', 'zz'].map(t => [t, 'a zone name'] as const)
])

/**
 * moment's own grammar, alternative order included: a [bracket] run, `\e`,
 * or an optionally escaped token or single character (line breaks match
 * nothing and so are dropped). `w|` and `W|` are tokens with no renderer,
 * hence literal, as in moment.
 */
const MOMENT_TOKEN =
  'eHHmm|[Hh]mm(?:ss)?|Mo|M{1,4}|Do|DDDo|D{1,4}|d{2,4}|do?|w[ow|]?|' +
  'W[oW|]?|Qo?|N{1,5}|Y{5,6}|YYYY|YY|y{2,4}|yo?|gg(?:ggg?)?|GG(?:GGG?)?|' +
  '[eEaA]|hh?|HH?|kk?|mm?|ss?|S{1,9}|[xX]|zz?|ZZ?'
const FORMAT_PATTERN = new RegExp(
  `\\[[^[]*\\]|\\\\e|\\\\?(?:${MOMENT_TOKEN}|.)`,
  'g'
)
/** moment expands these (L, LT…) before reading the format. */
const LOCALIZED_PATTERN = /\[[^[]*\]|\\?(?:LTS|LT|L{1,4}|l{1,4})/g

/** moment's text for a match that is not a token. */
function literal(text: string): string {
  return /\[[\s\S]/.test(text)
    ? text.replace(/^\[|\]$/g, '')
    : text.replace(/\\/g, '')
}

type Part = string | Renderer

/** The format as literal text and renderers; throws DateFormatError. */
function compile(format: string): Part[] {
  for (const [text] of format.matchAll(LOCALIZED_PATTERN)) {
    if (!/^[[\\]/.test(text)) throw new DateFormatError(format, text)
  }
  const parts: Part[] = []
  for (const [text] of format.matchAll(FORMAT_PATTERN)) {
    const render = RENDERERS.get(text)
    if (render !== undefined) parts.push(render)
    else if (REJECTED.has(text)) throw new DateFormatError(format, text)
    else parts.push(literal(text))
  }
  return parts
}

/** Throws a DateFormatError naming the first unsupported token, if any. */
export function checkDateFormat(format: string): void {
  compile(format)
}

/** `date` in `timeZone` (RangeError if unknown) by a moment.js format (DateFormatError if unsupported). */
export function formatDate(
  date: Date,
  format: string,
  timeZone = 'UTC'
): string {
  const z = zoned(date, timeZone)
  const iso = z.offset === 0 ? 'YYYY-MM-DDTHH:mm:ss[Z]' : 'YYYY-MM-DDTHH:mm:ssZ'
  return compile(format === '' ? iso : format)
    .map(part => (typeof part === 'string' ? part : part(z)))
    .join('')
}
