/** A command as a person would type it, for logs and the dry-run plan. */
export function formatCommand(argv: string[]): string {
  return argv
    .map(arg =>
      /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`
    )
    .join(' ')
}

/** `key=value` lines sorted by key (sort's own order: UTF-16 code units), for argv and outputs. */
export function formatKeyValues(record: Record<string, string>): string[] {
  return Object.keys(record)
    .sort()
    .map(key => `${key}=${record[key]}`)
}
