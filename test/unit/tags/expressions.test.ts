import { describe, expect, it } from '@jest/globals'
import type { RefContext } from '../../../src/context/context-types.js'
import {
  compileTemplate,
  createEnv,
  isSingleVariable,
  renderTemplate,
  templateNames,
  VERSION_NAMES
} from '../../../src/tags/expressions.js'

const NOW = new Date('2020-01-10T00:30:00Z')
const FROM = { input: 'tags', line: 'the line' } as const

function refContext(overrides: Partial<RefContext> = {}): RefContext {
  return {
    eventName: 'push',
    ref: 'refs/heads/main',
    sha: '860c1904a1ce19322e91ac35af1ab07466440c37',
    defaultBranches: ['main'],
    repository: { fullName: 'a/b', htmlUrl: 'https://github.com/a/b' },
    ...overrides
  }
}

const render = (source: string, ctx: Partial<RefContext> = {}): string =>
  renderTemplate(compileTemplate(source, FROM), createEnv(refContext(ctx), NOW))

const PR: Partial<RefContext> = {
  eventName: 'pull_request',
  ref: 'refs/pull/2/merge',
  prNumber: 2,
  prHeadRef: 'feature/x',
  baseRef: 'main'
}

describe('renderTemplate: global expressions', () => {
  it.each([
    { name: 'text only', source: 'plain', ctx: {}, expected: 'plain' },
    {
      name: 'branch',
      source: '{{branch}}',
      ctx: { ref: 'refs/heads/my/branch' },
      expected: 'my/branch'
    },
    {
      name: 'branch on a PR is the head branch',
      source: '{{branch}}',
      ctx: PR,
      expected: 'feature/x'
    },
    {
      name: 'branch on a tag',
      source: '[{{branch}}]',
      ctx: { ref: 'refs/tags/v1' },
      expected: '[]'
    },
    {
      name: 'tag',
      source: '{{tag}}',
      ctx: { ref: 'refs/tags/v1.2.3' },
      expected: 'v1.2.3'
    },
    { name: 'tag on a branch', source: '[{{tag}}]', ctx: {}, expected: '[]' },
    { name: 'short sha', source: '{{sha}}', ctx: {}, expected: '860c190' },
    {
      name: 'spaces inside braces',
      source: '{{ sha }}',
      ctx: {},
      expected: '860c190'
    },
    {
      name: 'base_ref on a PR',
      source: '{{base_ref}}',
      ctx: PR,
      expected: 'main'
    },
    {
      name: 'base_ref on a branch',
      source: '[{{base_ref}}]',
      ctx: { baseRef: 'main' },
      expected: '[]'
    },
    {
      name: 'default branch',
      source: '{{is_default_branch}}',
      ctx: {},
      expected: 'true'
    },
    {
      name: 'other branch',
      source: '{{is_default_branch}}',
      ctx: { ref: 'refs/heads/dev' },
      expected: 'false'
    },
    {
      name: 'PR is not the default branch',
      source: '{{is_default_branch}}',
      ctx: PR,
      expected: 'false'
    },
    {
      name: 'tag is not the default branch',
      source: '{{is_default_branch}}',
      ctx: { ref: 'refs/tags/v1' },
      expected: 'false'
    },
    {
      name: 'schedule counts as the default branch (metadata-action code)',
      source: '{{is_default_branch}}',
      ctx: { eventName: 'schedule', ref: 'refs/heads/dev' },
      expected: 'true'
    },
    {
      name: 'is_not_default_branch',
      source: '{{is_not_default_branch}}',
      ctx: { ref: 'refs/heads/dev' },
      expected: 'true'
    },
    {
      name: 'date in UTC',
      source: "{{date 'YYYYMMDD-HHmm'}}",
      ctx: {},
      expected: '20200110-0030'
    },
    {
      name: 'date with tz',
      source: "{{date 'YYYYMMDD-HHmm' tz='Asia/Tokyo'}}",
      ctx: {},
      expected: '20200110-0930'
    },
    {
      name: 'date with double quotes',
      source: '{{date "YYYY" tz="UTC"}}',
      ctx: {},
      expected: '2020'
    },
    {
      name: 'commit_date',
      source: "{{commit_date 'YYYY-MM-DD HH:mm' tz='Europe/Paris'}}",
      ctx: { commitDate: new Date('2019-12-31T23:30:00Z') },
      expected: '2020-01-01 00:30'
    },
    {
      name: "date is the run's clock, not the commit's (as metadata-action's)",
      source: "{{date 'YYYYMMDD'}}",
      ctx: { commitDate: new Date('2019-12-31T23:30:00Z') },
      expected: '20200110'
    },
    {
      name: 'commit_date falls back to now',
      source: "{{commit_date 'YYYYMMDD'}}",
      ctx: {},
      expected: '20200110'
    },
    {
      name: 'date, unquoted format: ISO 8601 as metadata-action gives it',
      source: '{{date YYYYMMDD}}',
      ctx: {},
      expected: '2020-01-10T00:30:00Z'
    },
    {
      name: 'commit_date, unquoted format with dashes (metadata-action test pr12)',
      source: 'src-{{commit_date YYYY-MM-DD}}',
      ctx: { commitDate: new Date('2020-01-10T00:30:00Z') },
      expected: 'src-2020-01-10T00:30:00Z'
    },
    {
      name: 'date, unquoted format and a zone: ISO 8601 with the offset',
      source: "{{date YYYYMMDD tz='Asia/Tokyo'}}",
      ctx: {},
      expected: '2020-01-10T09:30:00+09:00'
    },
    {
      name: 'date with a locale week token, as metadata-action renders it',
      source: "{{date 'YYYY-ww'}}",
      ctx: {},
      expected: '2020-02'
    },
    {
      name: 'commit_date with a localized format, as metadata-action renders it',
      source: "{{commit_date 'LLL' tz='Asia/Tokyo'}}",
      ctx: {},
      expected: 'January 10, 2020 9:30 AM'
    },
    {
      name: 'several expressions',
      source: 'b-{{branch}}-{{sha}}',
      ctx: {},
      expected: 'b-main-860c190'
    },
    {
      name: "Handlebars' escape: \\{{ is a literal {{, its }} plain text",
      source: '\\{{sha}}-{{sha}}',
      ctx: {},
      expected: '{{sha}}-860c190'
    },
    {
      name: 'an escaped {{ needs no closing }}, nor a known name',
      source: 'go \\{{.Name',
      ctx: {},
      expected: 'go {{.Name'
    }
  ])('$name', ({ source, ctx, expected }) => {
    expect(render(source, ctx)).toBe(expected)
  })

  it('version variables win over globals in a version pattern', () => {
    const template = compileTemplate(
      '{{major}}.{{minor}}-{{branch}}',
      FROM,
      VERSION_NAMES
    )
    const env = createEnv(refContext(), NOW)
    expect(renderTemplate(template, env, { major: '1', minor: '2' })).toBe(
      '1.2-main'
    )
  })
})

describe('compileTemplate', () => {
  it('lists the variables a template uses', () => {
    const template = compileTemplate(
      "v{{major}}.{{minor}}-{{date 'YY'}}",
      FROM,
      VERSION_NAMES
    )
    expect([...templateNames(template)]).toEqual(['major', 'minor'])
  })

  it.each([
    { source: '{{raw}}', expected: true },
    { source: '{{ raw }}', expected: true },
    { source: 'v{{raw}}', expected: false },
    { source: '{{version}}', expected: false }
  ])('isSingleVariable($source, raw) is $expected', ({ source, expected }) => {
    expect(
      isSingleVariable(compileTemplate(source, FROM, VERSION_NAMES), 'raw')
    ).toBe(expected)
  })

  it.each([
    {
      name: 'unknown name',
      source: '{{ref}}',
      message: /unknown expression \{\{ref\}\}/
    },
    {
      name: 'version part outside a version pattern',
      source: '{{major}}',
      message: /unknown expression/
    },
    {
      name: 'arguments to a variable',
      source: "{{branch 'x'}}",
      message: /unknown expression/
    },
    { name: 'empty braces', source: '{{}}', message: /unknown expression/ },
    {
      name: 'unclosed, saying how to write a literal {{',
      source: 'a{{sha',
      message:
        /without a closing "\}\}" in a\{\{sha; write \\\{\{ for a literal \{\{$/
    },
    {
      name: 'date without a format',
      source: '{{date}}',
      message: /needs a quoted format/
    },
    {
      name: 'date with an unknown option',
      source: "{{date 'YY' zone='UTC'}}",
      message: /optional tz='Zone'/
    },
    {
      name: 'date with an unknown zone',
      source: "{{date 'YY' tz='Nowhere/Town'}}",
      message: /unknown time zone/
    }
  ])('rejects $name', ({ source, message }) => {
    expect(() => compileTemplate(source, FROM)).toThrow(
      /input "tags": invalid value "the line"/
    )
    expect(() => compileTemplate(source, FROM)).toThrow(message)
  })

  it('names the flavor input for flavor templates', () => {
    expect(() =>
      compileTemplate('{{x}}', { input: 'flavor', line: 'prefix={{x}}' })
    ).toThrow(/input "flavor"/)
  })
})
