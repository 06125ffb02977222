import { readFileSync, readdirSync } from 'node:fs'
import { describe, expect, it } from '@jest/globals'
import { parse } from 'yaml'
import { INPUT_NAMES } from '../../../src/settings/input-names.js'

// The input names live in three places: action.yml (what the runner
// passes), src/settings/input-names.ts (what the CLI accepts as flags) and
// the README's inputs table (what a user reads). They must agree.

const ROOT = new URL('../../../', import.meta.url)

function read(path: string): string {
  return readFileSync(new URL(path, ROOT), 'utf8')
}

interface Declared {
  description: string
  default?: string
}

const action = parse(read('action.yml')) as {
  inputs: Record<string, Declared>
  outputs: Record<string, Declared>
}

/** The rows of the table under `## <heading>`, as cells (escaped `\|` kept). */
function tableRows(markdown: string, heading: string): string[][] {
  const lines = markdown.split('\n')
  const start = lines.indexOf(`## ${heading}`)
  expect(start).toBeGreaterThanOrEqual(0)
  const end = lines.findIndex((line, i) => i > start && line.startsWith('## '))
  return lines
    .slice(start + 1, end < 0 ? undefined : end)
    .filter(line => line.startsWith('|'))
    .map(line =>
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map(cell => cell.trim())
    )
    .slice(2) // the header and its --- line
}

/** The names in a cell: each `code span` of it. */
function codeSpans(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map(match => match[1])
}

const README = read('README.md')
const inputRows = tableRows(README, 'Inputs')
const sorted = (names: string[]): string[] => [...names].sort()

describe('input names: action.yml, input-names.ts and the README agree', () => {
  it('input-names.ts lists each input action.yml declares, once', () => {
    expect(new Set(INPUT_NAMES).size).toBe(INPUT_NAMES.length)
    expect(sorted(INPUT_NAMES)).toEqual(sorted(Object.keys(action.inputs)))
  })

  it("the README's inputs table has one row per declared input", () => {
    const names = inputRows.map(([name]) => codeSpans(name).join(' '))
    expect(new Set(names).size).toBe(names.length)
    expect(sorted(names)).toEqual(sorted(Object.keys(action.inputs)))
  })

  it("the README's default column is action.yml's default", () => {
    const shown = Object.fromEntries(
      inputRows.map(([name, value]) => [
        codeSpans(name)[0],
        codeSpans(value)[0] ?? ''
      ])
    )
    const declared = Object.fromEntries(
      Object.entries(action.inputs).map(([name, input]) => [
        name,
        input.default ?? ''
      ])
    )
    expect(shown).toEqual(declared)
  })

  it("the README's outputs table names each declared output, once", () => {
    const names = tableRows(README, 'Outputs').flatMap(([name]) =>
      codeSpans(name)
    )
    expect(new Set(names).size).toBe(names.length)
    expect(sorted(names)).toEqual(sorted(Object.keys(action.outputs)))
  })
})

/** Every `with:` block of a step that uses this action, anywhere in a document. */
function ourWithBlocks(node: unknown): Record<string, unknown>[] {
  if (Array.isArray(node)) return node.flatMap(ourWithBlocks)
  if (node === null || typeof node !== 'object') return []
  const record = node as Record<string, unknown>
  const own =
    typeof record.uses === 'string' &&
    record.uses.includes('/docker-publish-action@') &&
    typeof record.with === 'object' &&
    record.with !== null
      ? [record.with as Record<string, unknown>]
      : []
  return [...own, ...Object.values(record).flatMap(ourWithBlocks)]
}

const DOCUMENTS = [
  'README.md',
  ...readdirSync(new URL('docs/', ROOT))
    .filter(name => name.endsWith('.md'))
    .map(name => `docs/${name}`)
]

const yamlBlocks = DOCUMENTS.flatMap(path =>
  [...read(path).matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map(
    (match, index) => ({ name: `${path} block ${index + 1}`, text: match[1] })
  )
)

describe("the documents' workflows use declared inputs", () => {
  it.each(yamlBlocks)('$name is valid YAML', ({ text }) => {
    expect(() => {
      parse(text)
    }).not.toThrow()
  })

  it('every with: key of a step of this action is a declared input', () => {
    const blocks = yamlBlocks.flatMap(({ name, text }) =>
      ourWithBlocks(parse(text)).map(block => ({ name, block }))
    )
    expect(blocks.length).toBeGreaterThanOrEqual(8)
    const undeclared = blocks.flatMap(({ name, block }) =>
      Object.keys(block)
        .filter(key => !(key in action.inputs))
        .map(key => `${name}: ${key}`)
    )
    expect(undeclared).toEqual([])
  })
})
