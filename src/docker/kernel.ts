/**
 * This machine's kernel as the emulation decision needs it (plan/emulation.ts): its CPU and the
 * architectures its binfmt_misc handlers run.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { handlerArchitecture, type Kernel } from '../plan/emulation.js'

/** Node's name of this machine's CPU in Go's (buildx's) words. */
export const NATIVE_ARCH =
  { x64: 'amd64', ia32: '386', ppc64: 'ppc64le' }[process.arch as string] ??
  process.arch

const BINFMT_MISC = '/proc/sys/fs/binfmt_misc'

const readText = (path: string) => {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return ''
  }
}

/**
 * The architectures of binfmt_misc's enabled handlers: none where it is not mounted (an
 * automount is mounted by the reading; since Linux 6.7 no handler outlasts its mounts) or is off;
 * undefined where there is no such folder to read (not Linux).
 */
export function binfmtHandlers(dir = BINFMT_MISC): string[] | undefined {
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return undefined
  }
  if (readText(join(dir, 'status')).trim() !== 'enabled') return []
  return names
    .filter(name => name !== 'register' && name !== 'status')
    .flatMap(name => handlerArchitecture(readText(join(dir, name))) ?? [])
}

/** The kernel, read now; `localEngine`: docker's default context is a socket on this machine. */
export function thisKernel(localEngine: boolean): Kernel | undefined {
  const handlers = binfmtHandlers()
  return handlers && { native: NATIVE_ARCH, handlers, localEngine }
}
