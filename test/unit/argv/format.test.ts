import { describe, expect, it } from '@jest/globals'
import { formatCommand } from '../../../src/argv/format.js'

describe('formatCommand', () => {
  it.each([
    {
      name: 'plain words stay bare',
      argv: ['buildx', 'build', '--tag', 'ghcr.io/o/app:1.2.3', '.'],
      expected: 'buildx build --tag ghcr.io/o/app:1.2.3 .'
    },
    {
      name: 'key=value lists, digests and percent signs stay bare',
      argv: ['--cache-to', 'type=gha,mode=max', 'o/app@sha256:ab', '50%'],
      expected: '--cache-to type=gha,mode=max o/app@sha256:ab 50%'
    },
    {
      name: 'a space is quoted',
      argv: ['--label', 'org.opencontainers.image.description=My app'],
      expected: "--label 'org.opencontainers.image.description=My app'"
    },
    {
      name: 'a single quote is closed, escaped and reopened',
      argv: ['--build-arg', "GREETING=it's"],
      expected: "--build-arg 'GREETING=it'\\''s'"
    },
    {
      name: 'shell characters are quoted, not expanded',
      argv: ['$HOME', '*', 'a;b', '`id`', '<metadata-file>'],
      expected: "'$HOME' '*' 'a;b' '`id`' '<metadata-file>'"
    },
    {
      name: 'an empty argument is kept as empty quotes',
      argv: ['build', ''],
      expected: "build ''"
    },
    {
      name: 'a newline stays inside the quotes',
      argv: ['--label', 'a=1\n2'],
      expected: "--label 'a=1\n2'"
    }
  ])('$name', ({ argv, expected }) => {
    expect(formatCommand(argv)).toBe(expected)
  })
})
