import { InputError } from '../errors/input-error.js'
import { hasControlCharacter } from './parse.js'

/** What `git check-ref-format --branch` refuses in a branch name. */
const BAD_BRANCH =
  /[ ~^:?*[\\]|\.\.|@\{|^[/.-]|\/\.|\/$|\.$|\.lock$|\.lock\/|\/\//

/** `default-branch`: a branch name git could have (no spaces, no `..`, …). */
export function checkBranchName(value: string): string {
  if (
    value !== '' &&
    (BAD_BRANCH.test(value) || hasControlCharacter(value) || value === '@')
  )
    throw new InputError(
      'default-branch',
      value,
      'expected a git branch name, e.g. main (no spaces, ~ ^ : ? * [ \\, "..", "@{", no leading ' +
        '"-" or "." and no ".lock" ending)'
    )
  return value
}
