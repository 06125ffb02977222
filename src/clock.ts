/**
 * The time a run stamps on labels and {{date}}: SOURCE_DATE_EPOCH when set
 * (reproducible builds), else now.
 */
export function runTime(
  sourceDateEpoch: string | undefined,
  now: () => Date
): Date {
  if (sourceDateEpoch === undefined || sourceDateEpoch.trim() === '')
    return now()
  if (!/^\d+$/.test(sourceDateEpoch.trim()))
    throw new Error(
      `SOURCE_DATE_EPOCH ${JSON.stringify(sourceDateEpoch)} is not a whole number of seconds since 1970`
    )
  return new Date(Number(sourceDateEpoch) * 1000)
}
