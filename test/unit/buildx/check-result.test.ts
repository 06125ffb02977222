/**
 * The fixtures are buildx's `--call check,format=json` answer in its real
 * shape (test/fixtures/buildx-check/README.md cites the buildx and BuildKit
 * sources it follows).
 */
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import {
  checkAnnotations,
  checkReport,
  checkSummaryLine,
  parseCheckResult
} from '../../../src/buildx/check-result.js'

const fixture = (name: string) =>
  readFileSync(`test/fixtures/buildx-check/${name}.json`, 'utf8')
const FILE = 'app/Dockerfile'

describe('parseCheckResult', () => {
  it.each([
    {
      name: 'two warnings, sourceIndex 0 and character 0 left out',
      stdout: fixture('warnings'),
      result: {
        warnings: [
          {
            rule: 'FromAsCasing',
            description:
              "The 'as' keyword should match the case of the 'from' keyword",
            url: 'https://docs.docker.com/go/dockerfile/rule/from-as-casing/',
            detail: "'as' and 'FROM' keywords' casing do not match",
            source: 'Dockerfile',
            startLine: 1,
            endLine: 1
          },
          {
            rule: 'JSONArgsRecommended',
            description:
              'JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals',
            url: 'https://docs.docker.com/go/dockerfile/rule/json-args-recommended/',
            detail:
              'JSON arguments recommended for CMD to prevent unintended behavior related to OS signals',
            source: 'Dockerfile',
            startLine: 3,
            endLine: 3
          }
        ]
      }
    },
    {
      name: 'a clean check: warnings is null',
      stdout: fixture('clean'),
      result: { warnings: [] }
    },
    {
      name: 'a build error with its place',
      stdout: fixture('build-error'),
      result: {
        warnings: [],
        error: {
          message:
            'dockerfile parse error on line 2: unknown instruction: RUNN',
          source: 'Dockerfile',
          startLine: 2,
          endLine: 2
        }
      }
    },
    {
      name: 'several ranges: from the first start to the last end, another source by index',
      stdout: JSON.stringify({
        warnings: [
          {
            ruleName: 'NoEmptyContinuation',
            detail: 'Empty continuation line',
            location: {
              sourceIndex: 1,
              ranges: [
                { start: { line: 7 }, end: { line: 8, character: 4 } },
                { start: { line: 5, character: 2 }, end: { line: 6 } }
              ]
            }
          }
        ],
        sources: [{ filename: 'Dockerfile' }, { filename: 'other.Dockerfile' }]
      }),
      result: {
        warnings: [
          {
            rule: 'NoEmptyContinuation',
            description: '',
            url: '',
            detail: 'Empty continuation line',
            source: 'other.Dockerfile',
            startLine: 5,
            endLine: 8
          }
        ]
      }
    },
    {
      name: 'no location at all',
      stdout: '{"warnings":[{"ruleName":"X","detail":"d"}],"sources":[]}',
      result: {
        warnings: [{ rule: 'X', description: '', url: '', detail: 'd' }]
      }
    },
    {
      name: 'text, not JSON',
      stdout: 'Check complete, no warnings found.\n',
      result: undefined
    },
    {
      name: 'JSON of something else',
      stdout: '{"target": {}}',
      result: undefined
    },
    { name: 'empty', stdout: '', result: undefined }
  ])('$name', ({ stdout, result }) => {
    expect(parseCheckResult(stdout)).toEqual(result)
  })
})

describe('checkAnnotations', () => {
  const warnings = parseCheckResult(fixture('warnings'))!
  it.each([
    {
      name: 'on the Dockerfile built, by the workspace path',
      dockerfile: FILE,
      first: {
        message:
          "FromAsCasing: 'as' and 'FROM' keywords' casing do not match\nMore info: https://docs.docker.com/go/dockerfile/rule/from-as-casing/",
        annotation: {
          title: "The 'as' keyword should match the case of the 'from' keyword",
          file: FILE,
          startLine: 1,
          endLine: 1
        }
      }
    },
    {
      name: 'no file when the workspace cannot name the Dockerfile',
      dockerfile: undefined,
      first: {
        message:
          "FromAsCasing: 'as' and 'FROM' keywords' casing do not match\nMore info: https://docs.docker.com/go/dockerfile/rule/from-as-casing/",
        annotation: {
          title: "The 'as' keyword should match the case of the 'from' keyword"
        }
      }
    },
    {
      name: 'no file when the warning is about another file',
      dockerfile: 'app/Containerfile',
      first: {
        message:
          "FromAsCasing: 'as' and 'FROM' keywords' casing do not match\nMore info: https://docs.docker.com/go/dockerfile/rule/from-as-casing/",
        annotation: {
          title: "The 'as' keyword should match the case of the 'from' keyword"
        }
      }
    }
  ])('$name', ({ dockerfile, first }) => {
    const annotations = checkAnnotations(warnings, dockerfile)
    expect(annotations).toHaveLength(2)
    expect(annotations[0]).toEqual(first)
  })

  it('a rule without url or description is titled by its name', () => {
    const result = parseCheckResult(
      '{"warnings":[{"ruleName":"X","detail":"d","location":{"ranges":[{"start":{"line":4},"end":{"line":4}}]}}],"sources":[{"filename":"Dockerfile"}]}'
    )!
    expect(checkAnnotations(result, 'Dockerfile')).toEqual([
      {
        message: 'X: d',
        annotation: { title: 'X', file: 'Dockerfile', startLine: 4, endLine: 4 }
      }
    ])
  })
})

describe('checkReport and checkSummaryLine', () => {
  it.each([
    {
      name: 'warnings',
      fixture: 'warnings',
      report: [
        'Build checks: 2 warnings',
        `  ${FILE}:1: FromAsCasing: 'as' and 'FROM' keywords' casing do not match`,
        '    https://docs.docker.com/go/dockerfile/rule/from-as-casing/',
        `  ${FILE}:3: JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals`,
        '    https://docs.docker.com/go/dockerfile/rule/json-args-recommended/'
      ].join('\n'),
      summary: `Build checks (\`call: check\`): 2 warnings: \`FromAsCasing\` (${FILE}:1), \`JSONArgsRecommended\` (${FILE}:3)`
    },
    {
      name: 'clean',
      fixture: 'clean',
      report: 'Build checks: no warnings',
      summary: 'Build checks (`call: check`): no warnings'
    },
    {
      name: 'build error',
      fixture: 'build-error',
      report: [
        'Build checks: no warnings, and a build error',
        `  ${FILE}:2: error: dockerfile parse error on line 2: unknown instruction: RUNN`
      ].join('\n'),
      summary:
        'Build checks (`call: check`): no warnings; build error: dockerfile parse error on line 2: unknown instruction: RUNN'
    }
  ])('$name', ({ fixture: name, report, summary }) => {
    const result = parseCheckResult(fixture(name))!
    expect(checkReport(result, FILE)).toBe(report)
    expect(checkSummaryLine(result, FILE)).toBe(summary)
  })
})
