import { describe, expect, it } from '@jest/globals'
import type { RefContext } from '../../../src/context/context-types.js'
import { computeTags } from '../../../src/tags/compute.js'
import type { Rule } from '../../../src/tags/rule-types.js'
import { parseRule, parseRules } from '../../../src/tags/rules.js'

/** The parts of a rule that are plain data, for comparing. */
function shape(rule: Rule): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(rule)) {
    if (key === 'source' || value === undefined) continue
    if (value instanceof RegExp) out[key] = `/${value.source}/${value.flags}`
    else if (typeof value === 'object' && value !== null && 'source' in value) {
      out[key] = (value as { source: string }).source
    } else out[key] = value
  }
  return out
}

describe('parseRule: defaults filled in (metadata-action README)', () => {
  it.each([
    {
      name: 'schedule',
      line: 'type=schedule',
      expected: {
        type: 'schedule',
        enable: 'true',
        priority: 1000,
        pattern: 'nightly'
      }
    },
    {
      name: 'semver',
      line: 'type=semver,pattern={{version}}',
      expected: {
        type: 'semver',
        enable: 'true',
        priority: 900,
        pattern: '{{version}}',
        value: ''
      }
    },
    {
      name: 'semver with match',
      line: 'type=semver,pattern={{version}},match=v(.*)',
      expected: {
        type: 'semver',
        enable: 'true',
        priority: 900,
        pattern: '{{version}}',
        value: '',
        match: '/v(.*)/'
      }
    },
    {
      name: 'pep440',
      line: 'type=pep440,pattern={{version}},value=1.0.0',
      expected: {
        type: 'pep440',
        enable: 'true',
        priority: 900,
        pattern: '{{version}}',
        value: '1.0.0'
      }
    },
    {
      name: 'match',
      line: 'type=match,pattern=\\d.\\d.\\d',
      expected: {
        type: 'match',
        enable: 'true',
        priority: 800,
        pattern: '/\\d.\\d.\\d/',
        group: 0,
        value: ''
      }
    },
    {
      name: 'match with /re/flags',
      line: 'type=match,pattern=/v(.*)/i,group=1',
      expected: {
        type: 'match',
        enable: 'true',
        priority: 800,
        pattern: '/v(.*)/i',
        group: 1,
        value: ''
      }
    },
    {
      name: 'edge',
      line: 'type=edge',
      expected: { type: 'edge', enable: 'true', priority: 700, branch: '' }
    },
    {
      name: 'ref branch',
      line: 'type=ref,event=branch',
      expected: { type: 'ref', enable: 'true', priority: 600, event: 'branch' }
    },
    {
      name: 'ref pr gets pr-',
      line: 'type=ref,event=pr',
      expected: {
        type: 'ref',
        enable: 'true',
        priority: 600,
        event: 'pr',
        prefix: 'pr-'
      }
    },
    {
      name: 'raw',
      line: 'type=raw,value=foo',
      expected: { type: 'raw', enable: 'true', priority: 200, value: 'foo' }
    },
    {
      name: 'raw bare value',
      line: 'type=raw,foo',
      expected: { type: 'raw', enable: 'true', priority: 200, value: 'foo' }
    },
    {
      name: 'shorthand line',
      line: 'foo',
      expected: { type: 'raw', enable: 'true', priority: 200, value: 'foo' }
    },
    {
      name: 'sha gets sha- and short',
      line: 'type=sha',
      expected: {
        type: 'sha',
        enable: 'true',
        priority: 100,
        prefix: 'sha-',
        format: 'short'
      }
    },
    {
      name: 'every common attribute, keys any case, values trimmed',
      line: 'type=raw, Value = x ,enable=false,priority=5,prefix=a-,suffix=-b',
      expected: {
        type: 'raw',
        enable: 'false',
        priority: 5,
        prefix: 'a-',
        suffix: '-b',
        value: 'x'
      }
    },
    {
      name: 'quoted field keeps its commas',
      line: 'type=raw,"value=a,b"',
      expected: { type: 'raw', enable: 'true', priority: 200, value: 'a,b' }
    },
    {
      name: 'only the first = splits',
      line: 'type=raw,value=a=b',
      expected: { type: 'raw', enable: 'true', priority: 200, value: 'a=b' }
    }
  ])('$name', ({ line, expected }) => {
    expect(shape(parseRule(line))).toEqual(expected)
  })
})

describe('parseRules', () => {
  it('orders by priority, highest first, stable for ties', () => {
    const rules = parseRules([
      'type=sha',
      'type=raw,value=a',
      'type=schedule',
      'type=raw,value=b',
      'type=semver,pattern={{version}},priority=2000'
    ])
    expect(rules.map(rule => rule.source)).toEqual([
      'type=semver,pattern={{version}},priority=2000',
      'type=schedule',
      'type=raw,value=a',
      'type=raw,value=b',
      'type=sha'
    ])
  })

  it('skips blank and # comment lines', () => {
    expect(
      parseRules(['# a comment', '  ', 'type=sha']).map(rule => rule.type)
    ).toEqual(['sha'])
  })
})

describe('parseRule: errors name the input, the line and what is allowed', () => {
  it.each([
    {
      name: 'unknown type',
      line: 'type=version',
      message:
        /allowed types: schedule, semver, pep440, match, edge, ref, raw, sha/
    },
    {
      name: 'type is case-sensitive',
      line: 'type=Semver,pattern={{version}}',
      message: /unknown type/
    },
    {
      name: 'unknown attribute',
      line: 'type=ref,event=branch,branch=main',
      message:
        /unknown attribute "branch" for type=ref; allowed: type, event, enable/
    },
    {
      name: 'bare value on a type without value=',
      line: 'type=sha,long',
      message: /unknown attribute "value" \(a field without "=" sets value=\)/
    },
    { name: 'missing event', line: 'type=ref', message: /missing event=/ },
    {
      name: 'bad event',
      line: 'type=ref,event=push',
      message: /event must be one of: branch, tag, pr/
    },
    {
      name: 'bad format',
      line: 'type=sha,format=medium',
      message: /format must be one of: short, long/
    },
    {
      name: 'non-numeric priority',
      line: 'type=sha,priority=high',
      message: /priority must be a number/
    },
    {
      name: 'empty priority',
      line: 'type=sha,priority=',
      message: /priority must be a number/
    },
    {
      name: 'bad enable',
      line: 'type=sha,enable=yes',
      message: /enable must be true or false/
    },
    {
      name: 'missing semver pattern',
      line: 'type=semver',
      message: /missing pattern=/
    },
    {
      name: 'missing match pattern',
      line: 'type=match,group=1',
      message: /missing pattern=/
    },
    { name: 'missing raw value', line: 'type=raw', message: /missing value=/ },
    {
      name: 'bad regular expression',
      line: 'type=match,pattern=v(',
      message: /pattern must be a valid regular expression/
    },
    {
      name: 'bad regex flags',
      line: 'type=match,pattern=/v/q',
      message: /valid regular expression/
    },
    {
      name: 'bad semver match',
      line: 'type=semver,pattern={{version}},match=[',
      message: /match must be a valid regular expression/
    },
    {
      name: 'bad group',
      line: 'type=match,pattern=v(.*),group=one',
      message: /group must be a capture group number/
    },
    {
      name: 'unknown expression',
      line: 'type=raw,value={{ref}}',
      message: /unknown expression \{\{ref\}\}; allowed: \{\{branch\}\}/
    },
    {
      name: 'version expression outside a version pattern',
      line: 'type=raw,value={{version}}',
      message: /unknown expression/
    },
    {
      name: 'unclosed expression',
      line: 'type=raw,value={{branch',
      message: /without a closing/
    },
    {
      name: 'unknown time zone',
      line: "type=schedule,pattern={{date 'YYYY' tz='Mars/Olympus'}}",
      message: /unknown time zone "Mars\/Olympus"/
    },
    {
      name: 'unterminated quote',
      line: 'type=raw,"value=a',
      message: /not closed/
    }
  ])('$name', ({ line, message }) => {
    expect(() => parseRule(line)).toThrow(/input "tags"/)
    expect(() => parseRule(line)).toThrow(JSON.stringify(line))
    expect(() => parseRule(line)).toThrow(message)
  })

  it('an enable expression that gives neither true nor false fails at compute time', () => {
    const ctx: RefContext = {
      eventName: 'push',
      ref: 'refs/heads/main',
      sha: 'abc1234def',
      defaultBranches: ['main'],
      repository: { fullName: 'a/b', htmlUrl: 'https://github.com/a/b' }
    }
    const compute = () =>
      computeTags(
        ctx,
        { tags: ['type=sha,enable={{branch}}'], flavor: [] },
        new Date(0)
      )
    expect(compute).toThrow(/input "tags"/)
    expect(compute).toThrow(/enable must give true or false, but gave "main"/)
  })
})
