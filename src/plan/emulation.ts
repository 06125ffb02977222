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
