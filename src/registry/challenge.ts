/** Parsing of WWW-Authenticate challenges (RFC 7235) as registries send them. */

export interface Challenge {
  /** Lower-cased: "basic", "bearer". */
  scheme: string
  /** Lower-cased parameter names: realm, service, scope, error. */
  params: Record<string, string>
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/
const SPACE = /^[\s,]*/

/** Reads a quoted string at the start of text: [value, rest]. */
function readQuoted(text: string): [string, string] {
  const [quoted, value] = /^"((?:[^"\\]|\\.|\\$)*)"?/s.exec(text) ?? ['', '']
  return [value.replace(/\\(.)/gs, '$1'), text.slice(quoted.length)]
}

/** Reads `name=value` at the start of text, or undefined if text starts a new challenge. */
function readParam(
  text: string
): { name: string; value: string; rest: string } | undefined {
  const match = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)\s*=\s*/.exec(text)
  if (match === null) return undefined
  const name = match[1].toLowerCase()
  const after = text.slice(match[0].length)
  if (after.startsWith('"')) {
    const [value, rest] = readQuoted(after)
    return { name, value, rest }
  }
  const value = /^[^,\s]*/.exec(after)?.[0] ?? ''
  return { name, value, rest: after.slice(value.length) }
}

/** All challenges in a header value, in order (one header may hold several). */
export function parseChallenges(header: string): Challenge[] {
  const challenges: Challenge[] = []
  let text = header.trim()
  while (text.length > 0) {
    const scheme = TOKEN.exec(text)?.[0]
    if (scheme === undefined) break
    const challenge: Challenge = { scheme: scheme.toLowerCase(), params: {} }
    challenges.push(challenge)
    text = text.slice(scheme.length).replace(SPACE, '')
    for (let param = readParam(text); param; param = readParam(text)) {
      challenge.params[param.name] = param.value
      text = param.rest.replace(SPACE, '')
    }
  }
  return challenges
}

/** The challenge to answer: Bearer if offered, else Basic, else undefined. */
export function pickChallenge(header: string | null): Challenge | undefined {
  const challenges = parseChallenges(header ?? '')
  return (
    challenges.find(c => c.scheme === 'bearer') ??
    challenges.find(c => c.scheme === 'basic')
  )
}
