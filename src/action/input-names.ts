/** The action's inputs, as action.yml declares them; the CLI accepts the same names as flags. */
export const BOOLEAN_INPUTS = [
  'dry-run',
  'push',
  'load',
  'pull',
  'no-cache',
  'floating-guard'
]

export const INPUT_NAMES = [
  ...BOOLEAN_INPUTS,
  'mode',
  'images',
  'tags',
  'flavor',
  'default-branch',
  'labels',
  'annotations',
  'source',
  'registry',
  'username',
  'password',
  'logins',
  'context',
  'file',
  'target',
  'build-args',
  'build-contexts',
  'platforms',
  'cache-from',
  'cache-to',
  'secrets',
  'ssh',
  'provenance',
  'sbom',
  'builder',
  'immutable-tags',
  'retries',
  'registry-timeout',
  'sep-tags',
  'sep-labels',
  'sep-annotations'
]
