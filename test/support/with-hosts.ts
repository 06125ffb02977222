/**
 * A launcher that runs a command with names of the test's own in /etc/hosts: `unshare` into a
 * mount namespace of its own whose /etc/hosts is `hostsFile`, then exec; the machine's
 * /etc/hosts is never touched. bash, not sh: dash drops variables whose names are no
 * identifiers, as the runner's `INPUT_CACHE-TO`. runMain takes it as `launcher`.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const withHosts = (hostsFile: string): string[] => [
  'unshare',
  '--mount',
  '--propagation',
  'private',
  'bash',
  '-c',
  'mount --bind "$0" /etc/hosts && exec "$@"',
  hostsFile
]

/** A hosts file of the machine's lines and `hosts` (address to names), in a folder of its own. */
export function hostsFile(hosts: Record<string, string>): string {
  const file = join(mkdtempSync(join(tmpdir(), 'dpa-hosts-')), 'hosts')
  const extra = Object.entries(hosts)
    .map(([address, names]) => `${address} ${names}`)
    .join('\n')
  writeFileSync(file, `${readFileSync('/etc/hosts', 'utf8')}\n${extra}\n`)
  return file
}
