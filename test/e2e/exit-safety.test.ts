/**
 * Node 24's background compilers can deadlock a process's exit (src/exit-safety.ts): each bundled
 * entry turns them off first. The deadlock is a race no test provokes at will (it hung the main
 * step twice in this project's benches), so this checks the cause is off: on the runner's Node 24,
 * each entry exits with Maglev off, where a bare node has it on.
 */
import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT, runnerNode } from './runner.js'

const HOOK = join(ROOT, 'test/fixtures/node/maglev-at-exit.cjs')

/** What the hook says as `script` (with `args`) exits on the runner's Node 24. */
function maglevAtExit(script: string[], env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'dpa-exit-'))
  const files = ['GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_STEP_SUMMARY']
  for (const name of files) writeFileSync(join(dir, name), '')
  const ran = spawnSync(
    runnerNode(),
    ['--allow-natives-syntax', '--require', HOOK, ...script],
    {
      cwd: dir,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '',
        HOME: dir,
        RUNNER_TEMP: dir,
        ...Object.fromEntries(files.map(name => [name, join(dir, name)])),
        ...env
      }
    }
  )
  return /maglev at exit: (true|false)/.exec(ran.stderr)?.[1]
}

interface Row {
  name: string
  script: string[]
  env?: Record<string, string>
}

describe("each entry exits with Node 24's Maglev off", () => {
  it.each<Row>([
    {
      name: 'the main step (a bad input: it fails before any docker command)',
      script: [join(ROOT, 'dist/index.js')],
      env: { GITHUB_ACTIONS: 'true', INPUT_IMAGES: 'Not An Image!' }
    },
    {
      name: 'the post step (nothing to do)',
      script: [join(ROOT, 'dist/post/index.js')],
      env: { GITHUB_ACTIONS: 'true' }
    },
    {
      name: 'the local CLI (--help)',
      script: [join(ROOT, 'dist/cli/index.js'), '--help']
    }
  ])('$name', ({ script, env }) => {
    expect(maglevAtExit(script, env)).toBe('false')
  })

  it('the control: a bare node exits with it on', () => {
    expect(maglevAtExit(['-e', ''])).toBe('true')
  })
})
