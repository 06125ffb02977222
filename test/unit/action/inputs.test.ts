import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { readActionSettings } from '../../../src/action/inputs.js'

describe('readActionSettings', () => {
  const saved = { ...process.env }
  beforeEach(() => {
    // what the runner sets on every run: the default context is built from them
    process.env.GITHUB_REPOSITORY = 'acme/webapp'
    process.env.GITHUB_SHA = '92f4b3fe72a2c071ab50dbd925b0e8d9fda1de99'
    process.env.GITHUB_REF = 'refs/heads/main'
  })
  afterEach(() => {
    process.env = { ...saved }
  })

  it.each([
    { name: 'sep-tags: a space is kept', input: 'sep-tags', value: ' ' },
    { name: 'sep-labels: a tab is kept', input: 'sep-labels', value: '\t' }
  ])('$name', async ({ input, value }) => {
    process.env.INPUT_PUSH = 'false'
    process.env[`INPUT_${input.toUpperCase()}`] = value
    const settings = await readActionSettings()
    expect(Object.values(settings.separators)).toContain(value)
  })

  it('an empty context is the Git context of the commit, with github-token as its secret', async () => {
    process.env.INPUT_PUSH = 'false'
    process.env['INPUT_GITHUB-TOKEN'] = 'ghs_example'
    process.env.GITHUB_SERVER_URL = 'https://github.com'
    const { build } = await readActionSettings()
    expect(build.context).toBe(
      'https://github.com/acme/webapp.git#92f4b3fe72a2c071ab50dbd925b0e8d9fda1de99'
    )
    expect(build.secrets).toEqual(['GIT_AUTH_TOKEN.github.com=ghs_example'])
  })

  it('a runner without GITHUB_REPOSITORY refuses the default context by name', async () => {
    delete process.env.GITHUB_REPOSITORY
    process.env.INPUT_PUSH = 'false'
    await expect(readActionSettings()).rejects.toThrow(
      /input "context": invalid value "\{\{defaultContext\}\}": the Git context needs GITHUB_REPOSITORY/
    )
  })
})
