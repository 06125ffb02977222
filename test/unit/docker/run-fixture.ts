import { parseSettings, type Settings } from '../../../src/settings/settings.js'
import type { RefContext } from '../../../src/context/context-types.js'
import {
  describePublication,
  type Publication
} from '../../../src/plan/publication.js'

// One release run the docker and publish tests share: tag v1.2.3 pushed in
// the first attempt of workflow run 123, images on two registries, a
// username/password pair, a `logins` entry and a build secret.

const SHA = '860c1904a1ce19322e91ac35af1ab07466440c37'
export const NOW = new Date('2024-05-01T12:00:00Z')

/** The three values no command line may ever hold. */
export const PASSWORD = 'pair-password-7f3a'
export const LIST_PASSWORD = 'list-password-9c1e'
export const SECRET_VALUE = 'npm-token-value-4b2d'

export const RELEASE: RefContext = {
  eventName: 'push',
  ref: 'refs/tags/v1.2.3',
  sha: SHA,
  defaultBranches: ['main'],
  runId: '123',
  repository: {
    fullName: 'octo/app',
    htmlUrl: 'https://github.com/octo/app'
  }
}

const INPUTS: Readonly<Record<string, string>> = {
  images: 'ghcr.io/octo/app\nocto/app',
  tags: 'type=semver,pattern={{version}}\ntype=semver,pattern={{major}}.{{minor}}',
  username: 'octo',
  password: PASSWORD,
  logins: `- registry: docker.io\n  username: octodock\n  password: ${LIST_PASSWORD}`,
  secrets: `NPM_TOKEN=${SECRET_VALUE}`
}

export interface Run {
  settings: Settings
  publication: Publication
}

/** Settings parsed from INPUTS with `inputs` on top, and the release's plan. */
export async function releaseRun(
  inputs: Record<string, string> = {}
): Promise<Run> {
  const all: Record<string, string> = { ...INPUTS, ...inputs }
  const settings = await parseSettings(name => all[name] ?? '')
  return { settings, publication: describePublication(settings, RELEASE, NOW) }
}

/** The argv entries that hold any of the secret values (none, ever). */
export function leaks(argvs: string[][]): string[] {
  return argvs
    .flat()
    .filter(arg =>
      [PASSWORD, LIST_PASSWORD, SECRET_VALUE].some(secret =>
        arg.includes(secret)
      )
    )
}
