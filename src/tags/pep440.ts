/**
 * PEP 440 versions, as far as type=pep440 needs them: validity, the
 * normalized form (1.2.3beta2 → 1.2.3b2, 1.2.3post1 → 1.2.3.post1) and the
 * release numbers. Written from the grammar in PEP 440's appendix.
 */
export interface Pep440Version {
  epoch: number
  release: number[]
  /** Normalized pre-release, e.g. ['rc', 1]. */
  pre?: [string, number]
  post?: number
  dev?: number
  /** Local label, normalized with '.' separators. */
  local?: string
}

const PATTERN = new RegExp(
  '^\\s*v?' +
    '(?:(?<epoch>[0-9]+)!)?' +
    '(?<release>[0-9]+(?:\\.[0-9]+)*)' +
    '(?:[-_.]?(?<preL>alpha|beta|preview|pre|rc|a|b|c)[-_.]?(?<preN>[0-9]+)?)?' +
    '(?:-(?<postN1>[0-9]+)|[-_.]?(?<postL>post|rev|r)[-_.]?(?<postN2>[0-9]+)?)?' +
    '(?<dev>[-_.]?dev[-_.]?(?<devN>[0-9]+)?)?' +
    '(?:\\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?' +
    '\\s*$',
  'i'
)

const PRE_SPELLINGS: Record<string, string> = {
  alpha: 'a',
  beta: 'b',
  c: 'rc',
  pre: 'rc',
  preview: 'rc'
}

/** Parses a PEP 440 version (a leading v is allowed), or undefined. */
export function parsePep440(input: string): Pep440Version | undefined {
  const g = PATTERN.exec(input)?.groups
  if (g === undefined) return undefined
  const version: Pep440Version = {
    epoch: Number(g.epoch ?? 0),
    release: g.release.split('.').map(Number)
  }
  if (g.preL !== undefined) {
    const label = g.preL.toLowerCase()
    version.pre = [PRE_SPELLINGS[label] ?? label, Number(g.preN ?? 0)]
  }
  if (g.postN1 !== undefined || g.postL !== undefined) {
    version.post = Number(g.postN1 ?? g.postN2 ?? 0)
  }
  if (g.dev !== undefined) {
    version.dev = Number(g.devN ?? 0)
  }
  if (g.local !== undefined) {
    version.local = g.local.toLowerCase().replace(/[-_]/g, '.')
  }
  return version
}

/** True for pre-, post- and dev-releases: metadata-action never floats them. */
export function isPep440Unstable(v: Pep440Version): boolean {
  return v.pre !== undefined || v.post !== undefined || v.dev !== undefined
}

/** The normalized version string. */
export function normalizePep440(v: Pep440Version): string {
  let out = v.epoch !== 0 ? `${v.epoch}!` : ''
  out += v.release.join('.')
  if (v.pre !== undefined) out += `${v.pre[0]}${v.pre[1]}`
  if (v.post !== undefined) out += `.post${v.post}`
  if (v.dev !== undefined) out += `.dev${v.dev}`
  if (v.local !== undefined) out += `+${v.local}`
  return out
}
