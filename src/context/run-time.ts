/**
 * The time a run stamps on labels and {{date}}: SOURCE_DATE_EPOCH when set (reproducible builds),
 * else now.
 */
export function runTime(
  sourceDateEpoch: string | undefined,
  now: () => Date
): Date {
  if (sourceDateEpoch === undefined || sourceDateEpoch.trim() === '')
    return now()
  if (!/^\d+$/.test(sourceDateEpoch.trim()))
    throw new Error(
      `SOURCE_DATE_EPOCH ${JSON.stringify(sourceDateEpoch)} is not a whole number of seconds ` +
        `since 1970`
    )
  return new Date(Number(sourceDateEpoch) * 1000)
}

/**
 * The image's `created` time: SOURCE_DATE_EPOCH's, else the commit's (a re-run of the same commit,
 * and its dry run, build alike), else now.
 */
export function createdTime(
  sourceDateEpoch: string | undefined,
  commitDate: Date | undefined,
  now: Date
): Date {
  if (sourceDateEpoch !== undefined && sourceDateEpoch.trim() !== '') return now
  return commitDate ?? now
}
