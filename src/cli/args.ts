import { INPUT_NAMES, BOOLEAN_INPUTS } from '../settings/input-names.js'

/** Secret inputs and their variables: never flags (`ps` shows argv), else `--NAME-file PATH`. */
export const SECRET_INPUTS: Readonly<Record<string, string>> = {
  logins: 'DOCKER_PUBLISH_LOGINS',
  'registry-auth': 'DOCKER_PUBLISH_REGISTRY_AUTH',
  secrets: 'DOCKER_PUBLISH_SECRETS',
  'signing-key': 'DOCKER_PUBLISH_SIGNING_KEY',
  'signing-password': 'DOCKER_PUBLISH_SIGNING_PASSWORD',
  'github-token': 'DOCKER_PUBLISH_GITHUB_TOKEN'
}

/**
 * Flags named like the inputs (`--tags X`, `--dry-run`, `--images=a/b`); a repeat adds a line;
 * secret inputs by file (input name -> path).
 */
export function parseCliArgs(argv: string[]) {
  const inputs = new Map<string, string>()
  let help = false
  let passwordStdin = false
  const secretFiles = new Map<string, string>()
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    help ||= arg === '--help' || arg === '-h'
    passwordStdin ||= arg === '--password-stdin'
    if (['--help', '-h', '--password-stdin'].includes(arg)) continue
    if (arg === '--password' || arg.startsWith('--password='))
      throw new Error(
        'a password is never taken as a flag (ps would show it): use --password-stdin or ' +
          'DOCKER_PUBLISH_PASSWORD'
      )
    const match = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg)
    // '' (not a flag) names no input
    const name = match?.[1] ?? ''
    let value = match?.[2]
    if (Object.hasOwn(SECRET_INPUTS, name))
      throw new Error(
        `--${name} is never taken as a flag (ps would show its secrets): set ` +
          `${SECRET_INPUTS[name]} or give --${name}-file PATH`
      )
    const secretFile = /^(.+)-file$/.exec(name)?.[1]
    if (secretFile && Object.hasOwn(SECRET_INPUTS, secretFile)) {
      const path = value ?? argv[++i]
      if (path === undefined || path === '')
        throw new Error(`flag --${secretFile}-file needs a path`)
      secretFiles.set(secretFile, path)
      continue
    }
    if (!INPUT_NAMES.includes(name))
      throw new Error(
        `unknown argument ${JSON.stringify(arg)}: flags are named like the action's inputs (see ` +
          `--help)`
      )
    if (value === undefined) {
      const next = argv[i + 1]
      const takesNext =
        next !== undefined &&
        !next.startsWith('--') &&
        (!BOOLEAN_INPUTS.includes(name) || /^(true|false)$/i.test(next))
      if (takesNext) {
        value = next
        i++
      } else if (BOOLEAN_INPUTS.includes(name)) value = 'true'
      else throw new Error(`flag --${name} needs a value`)
    }
    const previous = inputs.get(name)
    inputs.set(name, previous === undefined ? value : `${previous}\n${value}`)
  }
  return { inputs, help, passwordStdin, secretFiles }
}
