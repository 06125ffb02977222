import { afterEach, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { binfmtHandlers } from '../../../src/docker/kernel.js'

// the files of /proc/sys/fs/binfmt_misc as Linux 6.18 shows them
const AARCH64 =
  'enabled\ninterpreter /usr/bin/qemu-aarch64\nflags: POCF\noffset 0\n' +
  'magic 7f454c460201010000000000000000000200b700\n' +
  'mask ffffffffffffff00fffffffffffffffffeffffff\n'
const ARM =
  'enabled\ninterpreter /usr/bin/qemu-arm\nflags: POCF\noffset 0\n' +
  'magic 7f454c4601010100000000000000000002002800\n' +
  'mask ffffffffffffff00fffffffffffffffffeffffff\n'

let dir = ''
afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe('binfmtHandlers: the architectures binfmt_misc runs', () => {
  it.each<{
    name: string
    files?: Record<string, string>
    handlers: string[] | undefined
  }>([
    {
      name: 'mounted, two handlers (and the register file)',
      files: {
        status: 'enabled\n',
        register: '',
        'qemu-aarch64': AARCH64,
        'qemu-arm': ARM
      },
      handlers: ['arm64', 'arm']
    },
    {
      name: 'mounted, none',
      files: { status: 'enabled\n', register: '' },
      handlers: []
    },
    {
      name: 'turned off (echo 0 > status): none runs',
      files: { status: 'disabled\n', 'qemu-aarch64': AARCH64 },
      handlers: []
    },
    {
      name: 'not mounted (the empty mount point): none',
      files: {},
      handlers: []
    },
    { name: 'no such folder (not Linux): unknown', handlers: undefined }
  ])('$name', ({ files, handlers }) => {
    dir = mkdtempSync(join(tmpdir(), 'binfmt-'))
    const folder = files === undefined ? join(dir, 'absent') : dir
    for (const [name, text] of Object.entries(files ?? {}))
      writeFileSync(join(dir, name), text)
    expect(binfmtHandlers(folder)?.sort()).toEqual(handlers?.sort())
  })
})
