import { parse } from 'csv-parse/sync'
import { InputError } from '../errors/input-error.js'
import type { InputSource } from './parse.js'

export interface ListOptions {
  /** Keep a line whole; otherwise its commas split it into items. */
  ignoreComma?: boolean
  /** Trim each item (default true). */
  trimWhitespace?: boolean
  /** Read double quotes as CSV quotes (default true); false keeps them as text. */
  quote?: boolean
}

/**
 * A list input read as build-push-action reads it (its getInputList over
 * csv-parse): one item per line, or per comma unless `ignoreComma`; a double
 * quoted value may hold newlines (and commas beside other fields), so
 * `"KEY=-----BEGIN…\n…-----END…"` is one item. Empty items are dropped.
 */
export function parseInputList(
  source: InputSource,
  name: string,
  options: ListOptions = {}
): string[] {
  const text = source(name)
  if (text.trim() === '') return []
  let records: string[][]
  try {
    records = parse(text, {
      columns: false,
      relax_quotes: true,
      relax_column_count: true,
      skip_empty_lines: true,
      quote: options.quote === false ? false : '"'
    })
  } catch {
    // the parser's message may quote the text, which may be a secret
    throw new InputError(
      name,
      '(an unclosed or misplaced quote)',
      'expected one item per line; quote a whole item to put commas or newlines in it, e.g. "KEY=line 1\\nline 2"'
    )
  }
  const items = records.flatMap(record => {
    if (options.ignoreComma) return [record.join(',')]
    // as build-push-action: a one-field line splits at every comma, even a
    // quoted one; fields of a longer line stay whole
    return record.length === 1 ? record[0].split(',') : record
  })
  return items
    .map(item => (options.trimWhitespace === false ? item : item.trim()))
    .filter(item => item.trim() !== '')
}
