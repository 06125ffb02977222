/** Wall-clock fields of an instant in one IANA time zone, from Intl (no date library). */
export interface Zoned {
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

export const WEEKDAYS = [
  'Sunday',
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday'
]
const DAY_MS = 86_400_000
const FIELDS = ['year', 'month', 'day', 'hour', 'minute', 'second'] as const

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

/** `date` in `timeZone` (an IANA name; throws RangeError if unknown). */
export function zoned(date: Date, timeZone: string): Zoned {
  const parts: Record<string, string> = {}
  for (const part of formatterFor(timeZone).formatToParts(date)) {
    parts[part.type] = part.value
  }
  const [year, month, day, hour, minute, second] = FIELDS.map(f =>
    Number(parts[f])
  )
  const epochMs = date.getTime()
  const millisecond = date.getUTCMilliseconds()
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, millisecond)
  return {
    year,
    month,
    day,
    hour,
    minute,
    second,
    millisecond,
    weekday: WEEKDAYS.indexOf(parts.weekday),
    offset: Math.round((wall - epochMs) / 60_000),
    epochMs
  }
}

export function dayOfYear(z: Zoned): number {
  return (
    (Date.UTC(z.year, z.month - 1, z.day) - Date.UTC(z.year, 0, 1)) / DAY_MS + 1
  )
}

/** ISO 8601 week: weeks start on Monday, week 1 holds January 4th. */
export interface IsoWeek {
  /** The year the week belongs to (its Thursday's year). */
  year: number
  week: number
}

export function isoWeek(z: Zoned): IsoWeek {
  const day = Date.UTC(z.year, z.month - 1, z.day)
  const isoWeekday = z.weekday === 0 ? 7 : z.weekday
  const thursday = new Date(day + (4 - isoWeekday) * DAY_MS)
  const year = thursday.getUTCFullYear()
  const yearStart = Date.UTC(year, 0, 1)
  const week = Math.floor((thursday.getTime() - yearStart) / DAY_MS / 7) + 1
  return { year, week }
}
