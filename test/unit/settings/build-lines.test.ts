import { describe, expect, it } from '@jest/globals'
import {
  checkAnnotations,
  checkBuildArgs,
  checkBuildContexts,
  checkCacheLines,
  parseCacheSetting
} from '../../../src/settings/build-lines.js'

describe('checkBuildArgs', () => {
  it.each([
    { name: 'key=value', line: 'VERSION=1.2.3' },
    { name: 'key alone (from the environment)', line: 'NPM_TOKEN' },
    { name: 'empty value', line: 'EMPTY=' },
    { name: 'value with = and spaces', line: 'OPTS=a=b c' }
  ])('accepts $name', ({ line }) => {
    expect(checkBuildArgs([line])).toEqual([line])
  })

  it.each([
    { name: 'empty key', line: '=value' },
    { name: 'key with a space', line: 'MY KEY=1' },
    { name: 'key with a tab', line: 'A\tB' }
  ])('rejects $name', ({ line }) => {
    expect(() => checkBuildArgs([line])).toThrow(
      /^input "build-args": invalid value ".*": expected KEY=value/
    )
  })
})

describe('checkBuildContexts', () => {
  it.each([
    { name: 'path', line: 'src=./src' },
    { name: 'image', line: 'alpine=docker-image://alpine:3.20' },
    { name: 'url', line: 'repo=https://github.com/o/r.git' }
  ])('accepts $name', ({ line }) => {
    expect(checkBuildContexts([line])).toEqual([line])
  })

  it.each([
    { name: 'no =', line: './src' },
    { name: 'no name', line: '=./src' },
    { name: 'no path', line: 'src=' },
    { name: 'space in the name', line: 'my src=./src' }
  ])('rejects $name', ({ line }) => {
    expect(() => checkBuildContexts([line])).toThrow(
      /^input "build-contexts": invalid value ".*": expected name=path/
    )
  })
})

describe('checkCacheLines', () => {
  it.each([
    { name: 'registry', input: 'cache-from', line: 'type=registry,ref=o/a:c' },
    { name: 'bare reference', input: 'cache-from', line: 'ghcr.io/o/a:cache' },
    { name: 'local src', input: 'cache-from', line: 'type=local,src=/tmp/c' },
    { name: 'gha', input: 'cache-from', line: 'type=gha' },
    { name: 'quoted field', input: 'cache-to', line: 'type=gha,"scope=a,b"' },
    { name: 'inline', input: 'cache-to', line: 'type=inline' },
    { name: 'local dest', input: 'cache-to', line: 'type=local,dest=/tmp/c' },
    { name: 's3', input: 'cache-to', line: 'type=s3,region=eu,bucket=b' },
    { name: 'azblob', input: 'cache-to', line: 'type=azblob,name=c' },
    {
      name: 'registry with mode',
      input: 'cache-to',
      line: 'type=registry,ref=o/a:c,mode=max'
    }
  ] as const)('accepts $input $name', ({ input, line }) => {
    expect(checkCacheLines([line], input)).toEqual([line])
  })

  it.each([
    {
      name: 'unknown type',
      input: 'cache-from',
      line: 'type=redis,ref=x',
      why: /expected type=<registry\|local/
    },
    {
      name: 'no type',
      input: 'cache-to',
      line: 'ref=o/a:c',
      why: /expected type=</
    },
    {
      name: 'registry without ref',
      input: 'cache-from',
      line: 'type=registry',
      why: /type=registry needs ref=/
    },
    {
      name: 'registry with an empty ref',
      input: 'cache-to',
      line: 'type=registry,ref=',
      why: /type=registry needs ref=/
    },
    {
      name: 'local without src',
      input: 'cache-from',
      line: 'type=local,dest=/tmp/c',
      why: /type=local needs src=/
    },
    {
      name: 'local without dest',
      input: 'cache-to',
      line: 'type=local,src=/tmp/c',
      why: /type=local needs dest=/
    },
    {
      name: 'field that is not key=value',
      input: 'cache-to',
      line: 'type=gha,max',
      why: /"max" is not key=value/
    },
    {
      name: 'unclosed quote',
      input: 'cache-to',
      line: 'type=gha,"scope=a',
      why: /not closed/
    },
    {
      name: 'bare reference with a space',
      input: 'cache-from',
      line: 'ghcr.io/o/a cache',
      why: /expected type=</
    }
  ] as const)('rejects $input $name', ({ input, line, why }) => {
    expect(() => checkCacheLines([line], input)).toThrow(
      new RegExp(`^input "${input}": invalid value `)
    )
    expect(() => checkCacheLines([line], input)).toThrow(why)
  })
})

describe('checkAnnotations', () => {
  it.each([
    { name: 'no level', line: 'org.opencontainers.image.title=App' },
    { name: 'manifest', line: 'manifest:com.example.k=v' },
    { name: 'index', line: 'index:com.example.k=v' },
    { name: 'manifest-descriptor', line: 'manifest-descriptor:k=v' },
    { name: 'index-descriptor', line: 'index-descriptor:k=v' },
    { name: 'platform', line: 'manifest[linux/amd64]:k=v' },
    { name: 'colon in a dotted key', line: 'com.example:x=v' },
    { name: 'value with spaces and =', line: 'k=a b=c' }
  ])('accepts $name', ({ line }) => {
    expect(checkAnnotations([line])).toEqual([line])
  })

  it.each([
    { name: 'unknown level', line: 'image:k=v' },
    { name: 'unknown level with platform', line: 'layer[linux/amd64]:k=v' },
    {
      name: 'levels as metadata-action lists them',
      line: 'manifest,index:k=v'
    },
    { name: 'space in the key', line: 'my key=v' },
    { name: 'space in the platform', line: 'manifest[linux amd64]:k=v' }
  ])('rejects $name', ({ line }) => {
    expect(() => checkAnnotations([line])).toThrow(
      /^input "annotations": invalid value ".*": expected \[level\[platform\]:\]key=value/
    )
  })
})

describe('parseCacheSetting reads its line as CSV', () => {
  it('keeps a quoted comma in the ref', () => {
    expect(parseCacheSetting('registry,"ref=ghcr.io/o/c:a,b"')).toEqual({
      kind: 'registry',
      ref: 'ghcr.io/o/c:a,b'
    })
  })

  it('refuses a quote left open, naming the input', () => {
    expect(() => parseCacheSetting('registry,"ref=ghcr.io/o/c')).toThrow(
      /input "cache": invalid value "registry,\\"ref=ghcr.io\/o\/c": a quoted field is not closed; expected auto/
    )
  })
})
