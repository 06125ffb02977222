/** A command as a person would type it, for logs and the dry-run plan. */
export function formatCommand(argv: string[]): string {
  return argv
    .map(arg =>
      /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`
    )
    .join(' ')
}
