/** A `key=value,…` line that cannot be split (an unterminated quote). */
export class CsvSyntaxError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CsvSyntaxError'
  }
}

/**
 * Splits one line of comma-separated fields. A double quote starts and ends a
 * quoted run in which commas are plain text, and `""` inside it is one
 * literal quote: `type=raw,"value=a,b"` gives `type=raw` and `value=a,b`.
 * Every line that csv-parse (metadata-action's parser, with its options
 * relaxColumnCount and skipEmptyLines) accepts splits the same, and an
 * unclosed quote is an error in both (test/unit/tags/csv.csv-parse.test.ts).
 * Deliberately more lenient: a quote in the middle of a field
 * (`value="a,b"`) or text after a closing quote (`"a"b`), which csv-parse
 * rejects, work here. Lines come without line breaks (csv-parse would end
 * the record at a lone carriage return). Fields are not trimmed.
 */
export function splitCsvLine(line: string): string[] {
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
  if (quoted) throw new CsvSyntaxError('a quoted field is not closed')
  fields.push(field)
  return fields
}

/** A field split at its first '=', both sides trimmed; key lower-cased. */
export interface Attribute {
  key: string
  value: string
}

/**
 * `key=value` → {key, value} (only the first '=' splits, so values may hold
 * '='); a field without '=' (or starting with one) → undefined: a bare value.
 */
export function splitAttribute(field: string): Attribute | undefined {
  const at = field.indexOf('=')
  if (at <= 0) return undefined
  return {
    key: field.slice(0, at).trim().toLowerCase(),
    value: field.slice(at + 1).trim()
  }
}
