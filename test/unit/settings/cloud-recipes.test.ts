/**
 * docs/credentials.md's recipes for the clouds, ECR and Docker Hub by OIDC: each `with:` of this
 * action, its `${{ … }}` expressions given a stand-in value, reads into settings whose logins
 * cover every image's registry (ECR's marked for the exchange; Docker Hub's OIDC one an empty
 * password, as withDockerOidc takes it).
 */
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { parseSettings } from '../../../src/settings/settings.js'

const DOC = readFileSync(
  new URL('../../../docs/credentials.md', import.meta.url),
  'utf8'
)

interface Step {
  uses?: string
  with?: Record<string, string>
}

/** A block's steps: a list of steps, or a job's body (`permissions` and `steps`). */
const stepsOf = (block: unknown): Step[] =>
  Array.isArray(block)
    ? (block as Step[])
    : ((block as { steps?: Step[] }).steps ?? [])

const recipes = [...DOC.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].flatMap(
  (match, index) =>
    stepsOf(parse(match[1]))
      .filter(step => step.uses?.includes('/docker-publish-action@'))
      .map(step => ({ name: `block ${index + 1}`, with: step.with ?? {} }))
)

describe("docs/credentials.md's recipes read into logins for their images", () => {
  it('has the recipes', () => {
    expect(recipes.length).toBeGreaterThanOrEqual(8)
  })

  it.each(recipes)('$name', async ({ with: inputs }) => {
    const value = (name: string) =>
      String(inputs[name] ?? '').replace(/\$\{\{[^}]*\}\}/g, 'from-a-secret')
    const settings = await parseSettings(value)
    const covered = [...settings.logins, ...settings.emptyLogins].map(
      login => login.registry
    )
    const uncovered = settings.images.filter(
      image => !covered.includes(image.registry)
    )
    // ECR by the docker config (amazon-ecr-login's) is a recipe of its own: none here
    expect(uncovered.map(image => image.name)).toEqual([])
  })
})
