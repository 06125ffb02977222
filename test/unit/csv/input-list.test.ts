import { describe, expect, it } from '@jest/globals'
import { parseInputList, type ListOptions } from '../../../src/csv/csv.js'

const PEM = '-----BEGIN KEY-----\nMIIB\nabcd\n-----END KEY-----'

describe('parseInputList', () => {
  it.each<{
    name: string
    text: string
    options: ListOptions
    expected: string[]
  }>([
    { name: 'empty', text: '', options: {}, expected: [] },
    {
      name: 'lines, blank lines dropped',
      text: 'a\n\nb\n',
      options: {},
      expected: ['a', 'b']
    },
    {
      name: 'commas split without ignoreComma',
      text: 'network.host,security.insecure',
      options: {},
      expected: ['network.host', 'security.insecure']
    },
    {
      name: 'ignoreComma keeps a line whole',
      text: 'type=sbom,generator=image\ntype=provenance,mode=max',
      options: { ignoreComma: true },
      expected: ['type=sbom,generator=image', 'type=provenance,mode=max']
    },
    {
      name: 'a quoted value holds newlines: a PEM key is one item',
      text: `A=1\n"KEY=${PEM}"\nB=2`,
      options: { ignoreComma: true, trimWhitespace: false },
      expected: ['A=1', `KEY=${PEM}`, 'B=2']
    },
    {
      name: 'a quoted value holds commas beside other fields',
      text: '"A=x,y",B=z',
      options: {},
      expected: ['A=x,y', 'B=z']
    },
    {
      name: 'a one-field line splits at every comma, as in build-push-action',
      text: '"A=x,y"',
      options: {},
      expected: ['A=x', 'y']
    },
    {
      name: 'quotes inside a value are text',
      text: 'C="q"',
      options: { ignoreComma: true },
      expected: ['C="q"']
    },
    {
      name: 'quote: false keeps quotes as they are',
      text: 'type=local,dest="out"',
      options: { ignoreComma: true, quote: false },
      expected: ['type=local,dest="out"']
    },
    {
      name: 'items trimmed by default',
      text: ' a , b ',
      options: {},
      expected: ['a', 'b']
    },
    {
      name: 'trimWhitespace: false keeps spaces',
      text: 'A= x ',
      options: { ignoreComma: true, trimWhitespace: false },
      expected: ['A= x ']
    }
  ])('$name', ({ text, options, expected }) => {
    expect(parseInputList(() => text, 'list', options)).toEqual(expected)
  })

  it('an unclosed quote names the input, never the text', () => {
    const read = () =>
      parseInputList(() => '"TOKEN=hunter2', 'secrets', { ignoreComma: true })
    expect(read).toThrow(/input "secrets": invalid value "\(an unclosed/)
    expect(read).not.toThrow(/hunter2/)
  })
})
