/** argv (after `docker`) to log in; the password goes on stdin, never here. */
export function loginArgs(registry: string, username: string): string[] {
  return ['login', registry, '--username', username, '--password-stdin']
}
