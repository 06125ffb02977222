import { describe, expect, it } from '@jest/globals'
import { ESLint } from 'eslint'
import tseslint from 'typescript-eslint'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

// The repository's own eslint.config.js; the planted files exist only as
// text, so type-aware rules (which need them on disk) are off for them.
const eslint = new ESLint({
  cwd: ROOT,
  overrideConfig: [
    {
      files: [
        'src/**/planted.ts',
        'src/tags/tag-types.ts',
        'src/cleanup/cleanup-plan.ts'
      ],
      ...tseslint.configs.disableTypeChecked
    }
  ]
})

const LAYER_RULES = [
  'layers/order',
  'layers/no-cycle',
  'no-restricted-globals',
  'max-len'
]

/** The layer rules' messages for a file planted at path with code. */
async function layerMessages(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path })
  return result.messages
    .filter(m => m.fatal === true || LAYER_RULES.includes(m.ruleId ?? ''))
    .map(m => `${m.ruleId}: ${m.message}`)
}

describe('the layer and line-length rules of eslint.config.js', () => {
  it.each([
    {
      name: 'a pure layer imports an adapter',
      path: 'src/plan/planted.ts',
      code: "export { runPipeline } from '../publish/phases.js'\n",
      message:
        /^layers\/order: src\/plan\/planted.ts \(layer plan\) may not import src\/publish\/phases.ts \(layer publish, higher\)/
    },
    {
      name: 'a pure layer imports node:fs',
      path: 'src/tags/planted.ts',
      code: "export { readFileSync } from 'node:fs'\n",
      message:
        /^layers\/order: .*pure \(layer tags\) and may not import node:fs/
    },
    {
      name: 'a pure layer imports node:child_process',
      path: 'src/settings/planted.ts',
      code: "import { execFileSync } from 'node:child_process'\nexport const run = execFileSync\n",
      message:
        /^layers\/order: .*pure \(layer settings\) and may not import node:child_process/
    },
    {
      name: 'a pure layer imports @actions/core',
      path: 'src/reference/planted.ts',
      code: "import * as core from '@actions/core'\nexport const info = core.info\n",
      message:
        /^layers\/order: .*pure \(layer reference\) and may not import @actions\/core/
    },
    {
      name: 'a pure layer calls the global fetch',
      path: 'src/guards/planted.ts',
      code: "export const get = () => fetch('http://127.0.0.1:5001/v2/')\n",
      message: /^no-restricted-globals: .*fetch.*pure module does no I\/O/
    },
    {
      name: 'a pure layer imports an I/O file of a lower layer',
      path: 'src/tags/planted.ts',
      code: "export { readEventPayload } from '../context/event-file.js'\n",
      message:
        /^layers\/order: .*pure \(layer tags\) and may not import src\/context\/event-file.ts, which does I\/O/
    },
    {
      name: 'a lower adapter layer imports a higher one',
      path: 'src/registry/planted.ts',
      code: "export type { Log } from '../publish/log.js'\n",
      message:
        /^layers\/order: .*\(layer registry\) may not import src\/publish\/log.ts \(layer publish, higher\)/
    },
    {
      name: 'the registry client imports a layer outside its own list',
      path: 'src/registry/planted.ts',
      code: "export { withdrawnReason } from '../guards/reasons.js'\n",
      message:
        /^layers\/order: .*\(layer registry\) may not import src\/guards\/reasons.ts \(layer guards\): registry imports only errors, csv, context, reference, settings$/
    },
    {
      name: "clean-up's pure plan imports the registry client",
      path: 'src/cleanup/cleanup-plan.ts',
      code: "export type { RegistryClient } from '../registry/client.js'\n",
      message:
        /^layers\/order: .*cleanup-plan.ts is pure \(layer cleanup\) and may not import src\/registry\/client.ts, which does I\/O/
    },
    {
      name: 'a layer below clean-up imports it',
      path: 'src/layout/planted.ts',
      code: "export type { Cleaned } from '../cleanup/cleanup-run.js'\n",
      message:
        /^layers\/order: .*\(layer layout\) may not import src\/cleanup\/cleanup-run.ts \(layer cleanup, higher\)/
    },
    {
      name: 'a layer imports its peer',
      path: 'src/guards/planted.ts',
      code: "export type { Settings } from '../settings/settings.js'\n",
      message: /^layers\/order: .*settings is its peer/
    },
    {
      name: 'two modules import each other',
      path: 'src/tags/tag-types.ts',
      code: "export { computeTags } from './compute.js'\n",
      message:
        /^layers\/no-cycle: import cycle: src\/tags\/tag-types.ts → src\/tags\/compute.ts → src\/tags\/tag-types.ts$/
    },
    {
      name: 'a comment runs past 100 columns',
      path: 'src/tags/planted.ts',
      code: `// ${'a word '.repeat(15)}\nexport const x = 1\n`,
      message: /^max-len: This line has a length of 108/
    },
    {
      name: 'a string runs past 100 columns',
      path: 'src/tags/planted.ts',
      code: `export const x = '${'a word '.repeat(14)}'\n`,
      message: /^max-len: This line has a length of 117/
    },
    {
      name: 'a file outside every layer',
      path: 'src/planted.ts',
      code: 'export const x = 1\n',
      message: /^layers\/order: src\/planted.ts belongs to no layer/
    }
  ])('fires when $name', async ({ path, code, message }) => {
    const messages = await layerMessages(path, code)
    expect(messages).toEqual([expect.stringMatching(message)])
  })

  it('lets a pure module import lower pure layers and packages', async () => {
    const code = [
      "import type { Tag } from '../tags/tag-types.js'",
      "import { parseImageName } from '../reference/images.js'",
      "import { createHash } from 'node:crypto'",
      'export type T = Tag',
      'export const p = [parseImageName, createHash]',
      ''
    ].join('\n')
    expect(await layerMessages('src/plan/planted.ts', code)).toEqual([])
  })
})
