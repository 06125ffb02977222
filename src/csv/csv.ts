import { parse } from 'csv-parse/sync'
import { InputError } from '../errors/input-error.js'

/**
 * Every comma-separated input is read here: list inputs through csv-parse
 * (`parseInputList`, as build-push-action reads them) and `key=value,…`
 * lines field by field (`splitCsvLine`, as metadata-action reads them;
 * `csvFields` for the lines buildx reads as CSV: output, call, cache).
 */

export interface ListOptions {
  /** Keep a line whole; otherwise its commas split it into items. */
  ignoreComma?: boolean
  /** Trim each item (default true). */
  trimWhitespace?: boolean
  /** Read double quotes as CSV quotes (default true); false keeps them as text. */
  quote?: boolean
  /** A line starting with # is a comment; lines end at a line feed only. */
  comments?: boolean
}

const COMMENTS = {
  comment: '#',
  comment_no_infix: true,
  ltrim: true,
  record_delimiter: ['\r\n', '\n']
}

/**
 * A list input read as build-push-action reads it (its getInputList over
 * csv-parse): one item per line, or per comma unless `ignoreComma`; a double
 * quoted value may hold newlines (and commas beside other fields), so
 * `"KEY=-----BEGIN…\n…-----END…"` is one item. Empty items are dropped.
 */
export function parseInputList(
  source: (name: string) => string,
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
      quote: options.quote === false ? false : '"',
      ...(options.comments ? COMMENTS : {})
    })
  } catch {
    // the parser's message may quote the text, which may be a secret
    throw new InputError(
      name,
      '(an unclosed or misplaced quote)',
      'expected one item per line; quote a whole item to put commas or newlines in it, e.g. ' +
        '"KEY=line 1\\nline 2"'
    )
  }
  return records
    .flatMap(record => {
      if (options.ignoreComma) return [record.join(',')]
      // as build-push-action: a one-field line splits at every comma, even a
      // quoted one; fields of a longer line stay whole
      return record.length === 1 ? record[0].split(',') : record
    })
    .map(item => (options.trimWhitespace === false ? item : item.trim()))
    .filter(item => item.trim() !== '')
}

/**
 * Splits one line of comma-separated fields (`type=raw,"value=a,b"`; `""` is
 * a quote). Every line csv-parse (metadata-action's parser) accepts splits
 * the same (csv.csv-parse.test.ts); a quote mid-field (`value="a,b"`) or text
 * after a closing quote, which csv-parse rejects, work here, as this splitter
 * is kept for. Fields are not trimmed. Undefined when a quoted field is not closed.
 */
export function splitCsvLine(line: string): string[] | undefined {
  const fields: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const char = line[i]
    if (quoted) {
      if (char !== '"') field += char
      else if (line[i + 1] === '"') {
        field += '"'
        i++
      } else quoted = false
    } else if (char === '"') quoted = true
    else if (char === ',') {
      fields.push(field)
      field = ''
    } else field += char
  }
  if (quoted) return undefined
  fields.push(field)
  return fields
}

/** splitCsvLine for a line of `input`: an unclosed quote fails naming the input, with `hint`. */
export function inputFields(input: string, line: string, hint?: string) {
  const fields = splitCsvLine(line)
  if (fields !== undefined) return fields
  const allowed = hint === undefined ? '' : `; ${hint}`
  throw new InputError(input, line, `a quoted field is not closed${allowed}`)
}

/**
 * A `key=value,…` line's fields, untrimmed (buildx trims none of a call's); none where a quote is
 * left open, so a check of the fields fails, naming its input.
 */
export function csvFields(line: string): string[] {
  return splitCsvLine(line) ?? []
}

/**
 * `key=value` → {key, value} (only the first '=' splits, so values may hold '='), both sides
 * trimmed, key lower-cased; a field without '=' (or starting with one) → undefined: a bare value.
 */
export function splitAttribute(
  field: string
): { key: string; value: string } | undefined {
  const at = field.indexOf('=')
  if (at <= 0) return undefined
  return {
    key: field.slice(0, at).trim().toLowerCase(),
    value: field.slice(at + 1).trim()
  }
}

/** A checked `key=value,…` line's attributes by key (a field without '=' is left out). */
export function lineAttributes(line: string): Map<string, string> {
  const attributes = new Map<string, string>()
  for (const field of csvFields(line)) {
    const attribute = splitAttribute(field)
    if (attribute !== undefined) attributes.set(attribute.key, attribute.value)
  }
  return attributes
}
