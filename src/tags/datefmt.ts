/**
 * Dates as metadata-action renders `{{date 'fmt' tz='Zone'}}`: moment-timezone
 * (English locale), which the action bundle loads on first call.
 */
import moment from 'moment-timezone'

/** `date` in `timeZone` by a moment.js format; '' or none is ISO 8601 to the second. */
export function formatDate(
  date: Date,
  format: string | undefined,
  timeZone = 'UTC'
): string {
  return moment(date).tz(timeZone).format(format)
}

/** True when moment-timezone knows the IANA zone name (e.g. UTC, Asia/Tokyo). */
export function isValidTimeZone(timeZone: string): boolean {
  return moment.tz.zone(timeZone) !== null
}
