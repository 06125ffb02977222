/**
 * Dates rendered with moment.js format tokens (what metadata-action's
 * `{{date 'fmt' tz='Zone'}}` uses), built on Intl.DateTimeFormat so the
 * engine needs no date library.
 *
 * Supported tokens: YYYY YY Y Q MMMM MMM MM M Mo DDDD DDD DD D Do dddd ddd dd
 * d e E WW W HH H hh h kk k mm m ss s S… (1–9) A a ZZ Z X x, and literal text
 * in [brackets]. As in moment, any other character is copied as is; moment's
 * locale weeks and week-years (w, gg…, GG…), localized formats (L…), eras
 * (N…) and zone abbreviations (z, zz) are not supported and come out
 * literally.
 */

/** Wall-clock fields of an instant in one time zone. */
interface Zoned {
  year: number
  /** 1–12 */
  month: number
  day: number
  hour: number
  minute: number
  second: number
  millisecond: number
  /** 0 = Sunday */
  weekday: number
  /** Minutes east of UTC. */
  offset: number
  epochMs: number
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
const WEEKDAYS = [
  'Sunday',
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday'
]
const DAY_MS = 86_400_000

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone)
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'long'
    })
    formatters.set(timeZone, formatter)
  }
  return formatter
}

/** True when Intl knows the IANA zone name (e.g. UTC, Asia/Tokyo). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone)
    return true
  } catch {
    return false
  }
}

function zoned(date: Date, timeZone: string): Zoned {
  const parts: Record<string, string> = {}
  for (const part of formatterFor(timeZone).formatToParts(date)) {
    parts[part.type] = part.value
  }
  const field = (name: string): number => Number(parts[name])
  const epochMs = date.getTime()
  const millisecond = date.getUTCMilliseconds()
  const wall = Date.UTC(
    field('year'),
    field('month') - 1,
    field('day'),
    field('hour'),
    field('minute'),
    field('second'),
    millisecond
  )
  return {
    year: field('year'),
    month: field('month'),
    day: field('day'),
    hour: field('hour'),
    minute: field('minute'),
    second: field('second'),
    millisecond,
    weekday: WEEKDAYS.indexOf(parts.weekday),
    offset: Math.round((wall - epochMs) / 60_000),
    epochMs
  }
}

const pad = (value: number, width: number): string =>
  String(Math.abs(value)).padStart(width, '0')

function ordinal(n: number): string {
  const lastTwo = n % 100
  if (lastTwo >= 11 && lastTwo <= 13) return `${n}th`
  const suffix = ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'
  return `${n}${suffix}`
}

function dayOfYear(z: Zoned): number {
  return (
    (Date.UTC(z.year, z.month - 1, z.day) - Date.UTC(z.year, 0, 1)) / DAY_MS + 1
  )
}

/** ISO 8601 week number (weeks start on Monday, week 1 holds January 4th). */
function isoWeek(z: Zoned): number {
  const day = Date.UTC(z.year, z.month - 1, z.day)
  const isoWeekday = z.weekday === 0 ? 7 : z.weekday
  const thursday = new Date(day + (4 - isoWeekday) * DAY_MS)
  const yearStart = Date.UTC(thursday.getUTCFullYear(), 0, 1)
  return Math.floor((thursday.getTime() - yearStart) / DAY_MS / 7) + 1
}

function offsetText(minutes: number, separator: string): string {
  const sign = minutes < 0 ? '-' : '+'
  const hours = Math.floor(Math.abs(minutes) / 60)
  return `${sign}${pad(hours, 2)}${separator}${pad(Math.abs(minutes) % 60, 2)}`
}

function fraction(z: Zoned, digits: number): string {
  return pad(z.millisecond, 3).padEnd(digits, '0').slice(0, digits)
}

type Renderer = (z: Zoned) => string

const TOKENS: Record<string, Renderer> = {
  YYYY: z => pad(z.year, 4),
  YY: z => pad(z.year % 100, 2),
  Y: z => (z.year > 9999 ? `+${z.year}` : pad(z.year, 4)),
  Q: z => String(Math.ceil(z.month / 3)),
  MMMM: z => MONTHS[z.month - 1],
  MMM: z => MONTHS[z.month - 1].slice(0, 3),
  MM: z => pad(z.month, 2),
  Mo: z => ordinal(z.month),
  M: z => String(z.month),
  DDDD: z => pad(dayOfYear(z), 3),
  DDD: z => String(dayOfYear(z)),
  DD: z => pad(z.day, 2),
  Do: z => ordinal(z.day),
  D: z => String(z.day),
  dddd: z => WEEKDAYS[z.weekday],
  ddd: z => WEEKDAYS[z.weekday].slice(0, 3),
  dd: z => WEEKDAYS[z.weekday].slice(0, 2),
  d: z => String(z.weekday),
  // moment's English locale starts weeks on Sunday, so e equals d.
  e: z => String(z.weekday),
  E: z => String(z.weekday === 0 ? 7 : z.weekday),
  WW: z => pad(isoWeek(z), 2),
  W: z => String(isoWeek(z)),
  HH: z => pad(z.hour, 2),
  H: z => String(z.hour),
  hh: z => pad(z.hour % 12 || 12, 2),
  h: z => String(z.hour % 12 || 12),
  kk: z => pad(z.hour || 24, 2),
  k: z => String(z.hour || 24),
  mm: z => pad(z.minute, 2),
  m: z => String(z.minute),
  ss: z => pad(z.second, 2),
  s: z => String(z.second),
  A: z => (z.hour < 12 ? 'AM' : 'PM'),
  a: z => (z.hour < 12 ? 'am' : 'pm'),
  ZZ: z => offsetText(z.offset, ''),
  Z: z => offsetText(z.offset, ':'),
  X: z => String(Math.floor(z.epochMs / 1000)),
  x: z => String(z.epochMs)
}

/** Longest tokens first so YYYY wins over YY, and [literal] runs whole. */
const TOKEN_PATTERN = new RegExp(
  [
    '\\[[^\\]]*\\]',
    'S{1,9}',
    ...Object.keys(TOKENS).sort((a, b) => b.length - a.length)
  ].join('|'),
  'g'
)

/**
 * Renders `date` in `timeZone` (an IANA name; throws RangeError if unknown)
 * with a moment.js format string.
 */
export function formatDate(
  date: Date,
  format: string,
  timeZone = 'UTC'
): string {
  const z = zoned(date, timeZone)
  return format.replace(TOKEN_PATTERN, token => {
    if (token.startsWith('[')) return token.slice(1, -1)
    if (token.startsWith('S')) return fraction(z, token.length)
    return TOKENS[token](z)
  })
}
