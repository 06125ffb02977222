/**
 * Differential tests: splitCsvLine against csv-parse with the options
 * metadata-action reads its tags, flavor and images lines with:
 * `parse(line, { relaxColumnCount: true, skipEmptyLines: true })[0]`.
 * Input lines here are never empty and hold no line break (the action
 * drops empty lines and splits on them first).
 */
import { describe, expect, it } from '@jest/globals'
import { parse, type Options } from 'csv-parse/sync'
import fc from 'fast-check'
import { splitCsvLine } from '../../../src/csv/csv.js'

/** What metadata-action passes (src/tag.ts, flavor.ts, image.ts). */
const METADATA_ACTION_OPTIONS: Options = {
  relaxColumnCount: true,
  skipEmptyLines: true
}

type Outcome = { fields: string[] } | { error: string }

/** metadata-action's reading of one line: its fields, or csv-parse's code. */
function csvParse(line: string): Outcome {
  try {
    const records = parse(line, METADATA_ACTION_OPTIONS)
    return { fields: records[0] }
  } catch (error) {
    return { error: (error as { code: string }).code }
  }
}

function ours(line: string): Outcome {
  const fields = splitCsvLine(line)
  return fields === undefined ? { error: 'unclosed quote' } : { fields }
}

/**
 * csv-parse's quote-placement errors: a quote inside an unquoted field
 * (`value="a,b"`) or text after a closing quote (`"a"b`). splitCsvLine reads
 * these on purpose (documented in csv.ts), or rejects an unclosed quote.
 */
const LENIENT = ['INVALID_OPENING_QUOTE', 'CSV_INVALID_CLOSING_QUOTE']

/** Why splitCsvLine disagrees with csv-parse on `line`, or undefined. */
function problem(line: string): string | undefined {
  const theirs = csvParse(line)
  const mine = ours(line)
  const where = `${JSON.stringify(line)}: ours ${JSON.stringify(mine)}, csv-parse ${JSON.stringify(theirs)}`
  if ('fields' in theirs) {
    const same = JSON.stringify(mine) === JSON.stringify(theirs)
    return same ? undefined : where
  }
  if (theirs.error === 'CSV_QUOTE_NOT_CLOSED') {
    return 'error' in mine ? undefined : where
  }
  return LENIENT.includes(theirs.error) ? undefined : where
}

const FIXED = [
  'type=raw,value=foo',
  'type=semver,pattern={{version}}',
  "type=schedule,pattern={{date 'YYYYMMDD-HHmm' tz='Asia/Kolkata'}}",
  'type=raw,"value=a,b"',
  '"type=raw","value=a,b",enable=true',
  '"value=say ""hi"""',
  '""""',
  '"",""',
  '"a,b"',
  'a,,b,',
  ',',
  ',,',
  ' a , b ',
  ' ',
  '"',
  '"a',
  'type=raw,"value=a',
  '"a""',
  '"a"""',
  'latest=auto,prefix=v,onlatest=true',
  "pattern={{date 'YYYY'}}",
  'name=ghcr.io/a/b,enable=true',
  '\ufeffa,b',
  'a\tb,c',
  'üñí,🚀,"日本"'
]

describe('splitCsvLine matches csv-parse (metadata-action options)', () => {
  it('splits the fixed rows as csv-parse does', () => {
    expect(FIXED.flatMap(line => problem(line) ?? [])).toEqual([])
  })

  it.each([
    {
      name: 'unclosed quote is an error in both',
      line: 'type=raw,"value=a',
      theirs: { error: 'CSV_QUOTE_NOT_CLOSED' },
      mine: { error: 'unclosed quote' }
    },
    {
      name: 'a quote inside a field: csv-parse rejects, we read it',
      line: 'value="a,b",x',
      theirs: { error: 'INVALID_OPENING_QUOTE' },
      mine: { fields: ['value=a,b', 'x'] }
    },
    {
      name: 'text after a closing quote: csv-parse rejects, we read it',
      line: '"a"b,c',
      theirs: { error: 'CSV_INVALID_CLOSING_QUOTE' },
      mine: { fields: ['ab', 'c'] }
    },
    {
      name: 'a quote inside a field that stays open is an error in both',
      line: 'a"b,c',
      theirs: { error: 'INVALID_OPENING_QUOTE' },
      mine: { error: 'unclosed quote' }
    }
  ])('$name', ({ line, theirs, mine }) => {
    expect({ theirs: csvParse(line), mine: ours(line) }).toEqual({
      theirs,
      mine
    })
  })

  it('splits generated lines as csv-parse does', () => {
    const unit = fc.constantFrom(...'ab=,"" \'{}\tü'.split(''))
    const field = fc.oneof(
      fc.string({ unit, maxLength: 6 }),
      // A well-formed quoted field: "" for each quote inside.
      fc
        .string({ unit, maxLength: 6 })
        .map(text => `"${text.replace(/"/g, '""')}"`)
    )
    const line = fc
      .array(field, { minLength: 1, maxLength: 6 })
      .map(fields => fields.join(','))
      .filter(text => text !== '')
    fc.assert(
      fc.property(line, text => {
        expect(problem(text)).toBeUndefined()
      }),
      { numRuns: 1000 }
    )
  })

  it('accepts every line csv-parse accepts, with the same fields', () => {
    const accepted = fc
      .string({ unit: fc.constantFrom(...'a,"= '.split('')), minLength: 1 })
      .filter(text => 'fields' in csvParse(text))
    fc.assert(
      fc.property(accepted, text => {
        expect(ours(text)).toEqual(csvParse(text))
      }),
      { numRuns: 500 }
    )
  })

  it('rejects a line only when a quote stays open', () => {
    const text = fc.string({
      unit: fc.constantFrom(...'a,"= '.split('')),
      minLength: 1
    })
    fc.assert(
      fc.property(text, line => {
        const quotes = line.split('"').length - 1
        expect('error' in ours(line)).toBe(quotes % 2 === 1)
      }),
      { numRuns: 1000 }
    )
  })
})
