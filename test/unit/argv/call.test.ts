import { describe, expect, it } from '@jest/globals'
import {
  callArgs,
  callUnsupported,
  ignoresStatus,
  parseBuildxVersion
} from '../../../src/argv/call.js'

describe('callArgs', () => {
  it.each([
    { name: 'empty: no flag', call: '', args: [] },
    { name: 'build is buildx default: no flag', call: 'build', args: [] },
    {
      name: 'build with options: still none (buildx drops them)',
      call: 'build,format=json',
      args: []
    },
    {
      name: 'check is read as JSON',
      call: 'check',
      args: ['--call', 'check,format=json']
    },
    {
      name: 'check: a format of the user is replaced',
      call: 'check,format=text',
      args: ['--call', 'check,format=json']
    },
    {
      name: 'check keeps ignorestatus',
      call: 'check,ignorestatus=true',
      args: ['--call', 'check,format=json,ignorestatus=true']
    },
    {
      name: 'outline as given',
      call: 'outline,format=json',
      args: ['--call', 'outline,format=json']
    },
    { name: 'targets as given', call: 'targets', args: ['--call', 'targets'] }
  ])('$name', ({ call, args }) => {
    expect(callArgs(call)).toEqual(args)
  })
})

describe('ignoresStatus', () => {
  it.each([
    { name: 'absent', call: 'check', ignores: false },
    { name: 'true', call: 'check,ignorestatus=true', ignores: true },
    { name: '1', call: 'check,ignorestatus=1', ignores: true },
    { name: 'false', call: 'check,ignorestatus=false', ignores: false }
  ])('$name', ({ call, ignores }) => {
    expect(ignoresStatus(call)).toBe(ignores)
  })
})

describe('parseBuildxVersion', () => {
  it.each([
    {
      name: 'Debian package',
      text: 'github.com/docker/buildx 0.13.1+ds1 0.13.1+ds1-3',
      version: '0.13.1'
    },
    {
      name: 'release binary',
      text: 'github.com/docker/buildx v0.15.1 1c1dbb2',
      version: '0.15.1'
    },
    {
      name: 'development build: a commit only',
      text: 'github.com/docker/buildx 1c1dbb2 1c1dbb2',
      version: undefined
    }
  ])('$name', ({ text, version }) => {
    expect(parseBuildxVersion(text)).toBe(version)
  })
})

describe('callUnsupported', () => {
  const FIX =
    'add docker/setup-buildx-action before this step, or leave call empty'
  it.each([
    {
      name: 'buildx 0.13 has no --call',
      call: 'check',
      buildx: 'github.com/docker/buildx 0.13.1+ds1 0.13.1+ds1-3',
      why: `needs buildx >= 0.15.0 (found 0.13.1): ${FIX}`
    },
    {
      name: 'buildx 0.14 has no --call either',
      call: 'outline',
      buildx: 'github.com/docker/buildx v0.14.1 59582f7',
      why: `needs buildx >= 0.15.0 (found 0.14.1): ${FIX}`
    },
    {
      name: 'no buildx',
      call: 'check',
      buildx: null,
      why: `needs buildx >= 0.15.0 (buildx is not installed): ${FIX}`
    },
    {
      name: 'buildx 0.15.0 has it',
      call: 'check',
      buildx: 'github.com/docker/buildx v0.15.0 d3a53189',
      why: undefined
    },
    {
      name: 'buildx 0.20 has it',
      call: 'check',
      buildx: 'github.com/docker/buildx v0.20.0 b2c8e6e',
      why: undefined
    },
    {
      name: 'an unnamed version gets the benefit of the doubt',
      call: 'check',
      buildx: 'github.com/docker/buildx 1c1dbb2 1c1dbb2',
      why: undefined
    },
    {
      name: 'build needs no --call, any buildx',
      call: 'build',
      buildx: null,
      why: undefined
    }
  ])('$name', ({ call, buildx, why }) => {
    expect(callUnsupported(call, buildx)).toBe(why)
  })
})
