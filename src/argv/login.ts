/** argv (after `docker`) to log in; the password goes on stdin, never here. */
export function loginArgs(
  registry: string,
  username: string,
  configDir: string
): string[] {
  return [
    '--config',
    configDir,
    'login',
    registry,
    '--username',
    username,
    '--password-stdin'
  ]
}
