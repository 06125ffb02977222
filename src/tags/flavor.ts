import { InputError } from '../errors/input-error.js'
import { inputFields, splitAttribute } from '../csv/csv.js'
import { compileTemplate, type Template } from './expressions.js'

/**
 * The `flavor` input, as in metadata-action: when `latest` is added, and a prefix/suffix for every
 * tag (and for `latest` only with onlatest=true).
 */
export interface Flavor {
  /**
   * auto: rules decide (semver/pep440/match stable versions and ref tags);
   * true/false: always/never; release (ours): only a stable release version
   * gets `latest`, never a branch.
   */
  latest: (typeof LATEST_VALUES)[number]
  /** Prepended to each tag whose rule sets no prefix= (may hold {{…}}). */
  prefix: Template
  /** Whether `prefix` also goes on `latest`. */
  prefixLatest: boolean
  /** Appended to each tag whose rule sets no suffix= (may hold {{…}}). */
  suffix: Template
  /** Whether `suffix` also goes on `latest`. */
  suffixLatest: boolean
}

const LATEST_VALUES = ['auto', 'true', 'false', 'release'] as const
const NO_AFFIX: Template = { source: '', nodes: [] }
const ALLOWED =
  'allowed entries: latest=auto|true|false|release, ' +
  'prefix=<text>[,onlatest=true|false], suffix=<text>[,onlatest=true|false]'

/** Applies one flavor line to `flavor`. */
function applyLine(flavor: Flavor, line: string): void {
  // onlatest= refers to the prefix= or suffix= before it on the same line.
  let onLatestFor: 'prefix' | 'suffix' | undefined
  const fail = (why: string): never => {
    throw new InputError('flavor', line, why)
  }
  for (const field of inputFields('flavor', line, ALLOWED)) {
    const { key, value } = splitAttribute(field) ?? fail(ALLOWED)
    if (key === 'latest') {
      flavor.latest =
        LATEST_VALUES.find(v => v === value) ??
        fail('latest must be one of: ' + LATEST_VALUES.join(', '))
    } else if (key === 'prefix' || key === 'suffix') {
      flavor[key] = compileTemplate(value, { input: 'flavor', line })
      onLatestFor = key
    } else if (key === 'onlatest') {
      if (value !== 'true' && value !== 'false')
        fail('onlatest must be true or false')
      // As in metadata-action, onlatest before any prefix/suffix is ignored.
      if (onLatestFor !== undefined) {
        flavor[`${onLatestFor}Latest`] = value === 'true'
      }
    } else fail(ALLOWED)
  }
}

/**
 * Parses the `flavor` input lines (blank lines already dropped; `#` comment lines are skipped).
 * Later lines override earlier ones.
 */
export function parseFlavor(lines: string[]): Flavor {
  const flavor: Flavor = {
    latest: 'auto',
    prefix: NO_AFFIX,
    prefixLatest: false,
    suffix: NO_AFFIX,
    suffixLatest: false
  }
  for (const line of lines) {
    if (line.trim() === '' || line.trim().startsWith('#')) continue
    applyLine(flavor, line)
  }
  return flavor
}
