import { afterEach, describe, expect, it } from '@jest/globals'
import { readActionSettings } from '../../../src/action/inputs.js'

describe('readActionSettings', () => {
  const saved = { ...process.env }
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
})
