import { describe, expect, it } from '@jest/globals'
import { parseFlavor, type Flavor } from '../../../src/tags/flavor.js'

/** A flavor with its prefix/suffix templates as the text they were written as. */
type FlavorText = Omit<Flavor, 'prefix' | 'suffix'> & {
  prefix: string
  suffix: string
}

function asText({ prefix, suffix, ...rest }: Flavor): FlavorText {
  return { ...rest, prefix: prefix.source, suffix: suffix.source }
}

const DEFAULTS: FlavorText = {
  latest: 'auto',
  prefix: '',
  prefixLatest: false,
  suffix: '',
  suffixLatest: false
}

describe('parseFlavor', () => {
  it.each<{ name: string; lines: string[]; expected: Partial<FlavorText> }>([
    { name: 'empty input: defaults', lines: [], expected: {} },
    {
      name: 'latest=auto',
      lines: ['latest=auto'],
      expected: { latest: 'auto' }
    },
    {
      name: 'latest=true',
      lines: ['latest=true'],
      expected: { latest: 'true' }
    },
    {
      name: 'latest=false',
      lines: ['latest=false'],
      expected: { latest: 'false' }
    },
    {
      name: 'latest=release (ours)',
      lines: ['latest=release'],
      expected: { latest: 'release' }
    },
    { name: 'prefix', lines: ['prefix=app-'], expected: { prefix: 'app-' } },
    { name: 'empty prefix', lines: ['prefix='], expected: { prefix: '' } },
    {
      name: 'prefix with onlatest',
      lines: ['prefix=app-,onlatest=true'],
      expected: { prefix: 'app-', prefixLatest: true }
    },
    {
      name: 'suffix with onlatest',
      lines: ['suffix=-alpine,onlatest=true'],
      expected: { suffix: '-alpine', suffixLatest: true }
    },
    {
      name: 'onlatest=false',
      lines: ['suffix=-x,onlatest=false'],
      expected: { suffix: '-x' }
    },
    {
      name: 'onlatest follows the last prefix/suffix on its line',
      lines: ['prefix=p-,suffix=-s,onlatest=true'],
      expected: { prefix: 'p-', suffix: '-s', suffixLatest: true }
    },
    {
      name: 'onlatest first on a line is ignored',
      lines: ['onlatest=true,prefix=p-'],
      expected: { prefix: 'p-' }
    },
    {
      name: 'later lines win',
      lines: ['latest=false', 'latest=true'],
      expected: { latest: 'true' }
    },
    {
      name: 'keys any case, values trimmed',
      lines: ['LATEST = false'],
      expected: { latest: 'false' }
    },
    {
      name: 'expression in a prefix',
      lines: ['prefix={{branch}}-'],
      expected: { prefix: '{{branch}}-' }
    },
    { name: 'comment lines skipped', lines: ['# latest=false'], expected: {} }
  ])('$name', ({ lines, expected }) => {
    expect(asText(parseFlavor(lines))).toEqual({ ...DEFAULTS, ...expected })
  })

  it.each([
    {
      name: 'bare word',
      line: 'latest',
      message: /allowed entries: latest=auto\|true\|false\|release/
    },
    { name: 'unknown key', line: 'labelprefix=x', message: /allowed entries/ },
    {
      name: 'bad latest',
      line: 'latest=always',
      message: /latest must be one of: auto, true, false, release/
    },
    {
      name: 'bad onlatest',
      line: 'prefix=a-,onlatest=yes',
      message: /onlatest must be true or false/
    },
    {
      name: 'unknown expression',
      line: 'prefix={{nope}}-',
      message: /unknown expression \{\{nope\}\}/
    },
    { name: 'unterminated quote', line: '"prefix=a', message: /not closed/ }
  ])('rejects $name', ({ line, message }) => {
    expect(() => parseFlavor([line])).toThrow(/input "flavor"/)
    expect(() => parseFlavor([line])).toThrow(JSON.stringify(line))
    expect(() => parseFlavor([line])).toThrow(message)
  })
})
