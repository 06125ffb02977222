import { checkEach } from './parse.js'

const OPERATING_SYSTEMS = ['linux', 'windows', 'darwin', 'freebsd']
const ARCHITECTURES = [
  'amd64',
  'arm64',
  'arm',
  '386',
  'ppc64le',
  's390x',
  'riscv64',
  'mips64le',
  'mips64',
  'loong64'
]
const ALLOWED =
  `expected os/arch[/variant], os one of ${OPERATING_SYSTEMS.join(', ')}, ` +
  `arch one of ${ARCHITECTURES.join(', ')} (e.g. linux/amd64, linux/arm/v7)`

/** Validates platforms the way buildx would parse them, so a typo fails before any build. */
export function validatePlatforms(platforms: string[]): string[] {
  return checkEach(
    'platforms',
    platforms,
    platform => {
      const [os, arch, variant, ...rest] = platform.split('/')
      return (
        OPERATING_SYSTEMS.includes(os) &&
        arch !== undefined &&
        ARCHITECTURES.includes(arch) &&
        (variant === undefined || /^v?[0-9a-z]+$/.test(variant)) &&
        rest.length === 0
      )
    },
    ALLOWED
  )
}
