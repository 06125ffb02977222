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

/**
 * When the image counts as created (its `created` label, and the build's
 * SOURCE_DATE_EPOCH): SOURCE_DATE_EPOCH when set, else the commit's time, so
 * a re-run of the same commit (and its dry run) builds alike; else now.
 */
export function createdTime(
  sourceDateEpoch: string | undefined,
  commitDate: Date | undefined,
  now: Date
): Date {
  if (sourceDateEpoch !== undefined && sourceDateEpoch.trim() !== '') return now
  return commitDate ?? now
}
