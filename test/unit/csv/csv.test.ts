import { describe, expect, it } from '@jest/globals'
import { splitAttribute, splitCsvLine } from '../../../src/csv/csv.js'

describe('splitCsvLine', () => {
  it.each([
    {
      name: 'plain fields',
      line: 'type=raw,value=foo',
      expected: ['type=raw', 'value=foo']
    },
    { name: 'one field', line: 'foo', expected: ['foo'] },
    { name: 'empty fields kept', line: 'a,,b,', expected: ['a', '', 'b', ''] },
    {
      name: 'quoted field with commas',
      line: 'type=raw,"value=a,b"',
      expected: ['type=raw', 'value=a,b']
    },
    {
      name: '"" is a literal quote',
      line: '"value=say ""hi"""',
      expected: ['value=say "hi"']
    },
    {
      name: 'quote inside a field',
      line: 'value="a,b",x',
      expected: ['value=a,b', 'x']
    },
    { name: 'spaces kept', line: ' a , b ', expected: [' a ', ' b '] },
    {
      name: 'single quotes are text',
      line: "pattern={{date 'YYYY'}}",
      expected: ["pattern={{date 'YYYY'}}"]
    }
  ])('$name', ({ line, expected }) => {
    expect(splitCsvLine(line)).toEqual(expected)
  })

  it('rejects an unterminated quote', () => {
    expect(splitCsvLine('type=raw,"value=a')).toBeUndefined()
  })
})

describe('splitAttribute', () => {
  it.each([
    {
      name: 'key=value',
      field: 'type=raw',
      expected: { key: 'type', value: 'raw' }
    },
    {
      name: 'key lower-cased, both trimmed',
      field: ' Value = a ',
      expected: { key: 'value', value: 'a' }
    },
    {
      name: 'first = splits',
      field: 'value=a=b',
      expected: { key: 'value', value: 'a=b' }
    },
    {
      name: 'empty value',
      field: 'prefix=',
      expected: { key: 'prefix', value: '' }
    },
    { name: 'bare value', field: 'foo', expected: undefined },
    { name: 'leading =', field: '=foo', expected: undefined }
  ])('$name', ({ field, expected }) => {
    expect(splitAttribute(field)).toEqual(expected)
  })
})
