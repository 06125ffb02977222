/**
 * QEMU for the platforms a builder cannot run, set up as docker/setup-qemu-action does: binfmt_misc
 * handlers registered by a privileged container of tonistiigi/binfmt. A handler is kernel-wide, so
 * it stays after the job, as setup-qemu-action's do.
 */
import type { BuildSettings } from '../settings/build-settings.js'

/** Drivers whose BuildKit runs on the engine's kernel, where a handler installed there counts. */
const ENGINE_DRIVERS = new Set(['docker', 'docker-container'])

const parts = (platform: string) =>
  platform.replace(/^linux\/arm64\/v8$/, 'linux/arm64').split('/')

/**
 * The asked Linux platforms of another architecture than `nativeArch`, where emulation installed
 * through the engine can help ([] with qemu: false).
 */
export function foreignPlatforms(
  build: Pick<BuildSettings, 'platforms' | 'qemu'>,
  driver: string,
  nativeArch: string
): string[] {
  if (build.qemu === '' || !ENGINE_DRIVERS.has(driver)) return []
  return build.platforms.filter(p => {
    const [os, arch] = parts(p)
    return os === 'linux' && arch !== nativeArch
  })
}

/**
 * This machine's kernel, where a node's BuildKit runs on it: its CPU and the architectures its
 * binfmt_misc handlers run (read by docker/kernel.ts).
 */
export interface Kernel {
  /** Go's name of the machine's CPU. */
  native: string
  /** Architectures with an enabled handler; none where binfmt_misc is not mounted. */
  handlers: string[]
  /** Whether docker's default context is an engine on this machine (a unix socket). */
  localEngine: boolean
}

/** A node of a builder as `buildx inspect` lists it. */
export interface BuilderNode {
  /** A docker host (`unix://…`), a context's name (`default`) or BuildKit's address. */
  endpoint: string
  platforms: string[]
}

/** What a CPU may run without a handler besides its own: there the builder's list decides. */
const COMPANIONS: Record<string, string[]> = { amd64: ['386'], arm64: ['arm'] }

/**
 * The platforms a node runs now. BuildKit lists what ran when it started, and dockerd's keeps
 * that list until dockerd restarts (Docker 26.1, 28.5 and 29.4, both stores: observed), so on this
 * machine's kernel (a node of a local engine) a platform that needs QEMU runs only while
 * binfmt_misc has its handler. Elsewhere, or with the kernel unread, the node's list stands.
 */
export function nodePlatforms(
  node: BuilderNode,
  kernel: Kernel | undefined
): string[] {
  const local =
    node.endpoint.startsWith('unix://') ||
    (node.endpoint === 'default' && kernel?.localEngine === true)
  if (kernel === undefined || !local) return node.platforms
  const runs = [kernel.native, ...(COMPANIONS[kernel.native] ?? [])]
  return node.platforms.filter(platform => {
    const arch = parts(platform)[1] ?? ''
    return runs.includes(arch) || kernel.handlers.includes(arch)
  })
}

/** ELF's e_machine => Go's architecture (by word size and byte order where they tell). */
const MACHINES: Record<number, (wide: boolean, little: boolean) => string> = {
  3: () => '386',
  8: (wide, little) => `mips${wide ? '64' : ''}${little ? 'le' : ''}`,
  21: (_, little) => (little ? 'ppc64le' : 'ppc64'),
  22: () => 's390x',
  40: () => 'arm',
  62: () => 'amd64',
  183: () => 'arm64',
  243: wide => (wide ? 'riscv64' : 'riscv32'),
  258: () => 'loong64'
}

/**
 * The architecture an enabled binfmt_misc handler runs, from its file's ELF magic (`magic
 * 7f454c46…`: word size at byte 4, byte order at 5, e_machine at 18), whatever it is named.
 */
export function handlerArchitecture(file: string): string | undefined {
  if (!/^enabled$/m.test(file) || !/^offset 0$/m.test(file)) return undefined
  const hex = /^magic ([0-9a-f]+)$/m.exec(file)?.[1] ?? ''
  const magic = Buffer.from(hex, 'hex')
  if (magic.length < 20 || magic.readUInt32BE(0) !== 0x7f454c46)
    return undefined
  const little = magic[5] === 1
  const machine = little ? magic.readUInt16LE(18) : magic.readUInt16BE(18)
  return MACHINES[machine]?.(magic[4] === 2, little)
}

/**
 * binfmt's names of the architectures of `asked` that the builder does not run: a platform runs
 * when listed, or when asked without a variant and one of its variants is.
 */
export function missingArchitectures(
  asked: string[],
  builderPlatforms: string[]
): string[] {
  const runs = builderPlatforms.map(parts)
  const missing = asked
    .map(parts)
    .filter(([os, arch, variant]) =>
      runs.every(
        ([o, a, v]) =>
          o !== os || a !== arch || (variant !== undefined && v !== variant)
      )
    )
  return [...new Set(missing.map(([, arch]) => arch))]
}

/** setup-qemu-action's install: `docker run --rm --privileged <image> --install <archs>`. */
export function installEmulationArgs(image: string, archs: string[]): string[] {
  return ['run', '--rm', '--privileged', image, '--install', archs.join(',')]
}
