/** argv (after `docker`) to log in; the password goes on stdin, never here. */
export function loginArgs(
  registry: string,
  username: string,
  configDir?: string
): string[] {
  const config = configDir === undefined ? [] : ['--config', configDir]
  return [
    ...config,
    'login',
    registry,
    '--username',
    username,
    '--password-stdin'
  ]
}
