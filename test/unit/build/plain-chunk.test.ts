import { describe, expect, it } from '@jest/globals'
import { createRequire } from 'node:module'
import { runInNewContext } from 'node:vm'
import {
  assertNoChunkCycle as untypedAssertNoChunkCycle,
  plainChunk as untypedPlainChunk
  // @ts-expect-error: a plain node script, no declarations
} from '../../../scripts/plain-chunk.mjs'

const plainChunk = untypedPlainChunk as (text: string, path: string) => string
const assertNoChunkCycle = untypedAssertNoChunkCycle as (
  outputs: object
) => void

// scripts/build.mjs turns each chunk of esbuild's split ESM output into CommonJS; plainChunk first
// gives a chunk's exports as values and a builtin's namespace as the builtin where that keeps ESM's
// meaning, and leaves the chunk to esbuild's own form where it would not.

/**
 * A chunk without imports run as CommonJS: its exports, and what `probe` (JavaScript, run after
 * it) reads of them.
 */
function run(text: string, probe: string) {
  const exports: Record<string, unknown> = {}
  const read = runInNewContext(`${text};${probe}`, {
    exports,
    require: createRequire(import.meta.url)
  }) as unknown
  return { exports, read }
}

describe('plainChunk: a chunk whose exported bindings never change', () => {
  it.each([
    {
      name: 'a function and a constant, renamed',
      chunk: 'function f(){return 1}const g=2;export{f as a,g as b};',
      probe: '[exports.a(), exports.b]',
      values: [1, 2]
    },
    {
      name: 'a parameter of the same name assigned inside a function (another binding)',
      chunk: 'const v=3;function f(v){v=4;return v}export{v as a,f as b};',
      probe: '[exports.a, exports.b(0)]',
      values: [3, 4]
    },
    {
      name: 'a class and an object whose members change (the binding does not)',
      chunk:
        'class K{static n(){return 5}}const m=new Map;m.set(1,6);export{K as a,m as b};',
      probe: '[exports.a.n(), exports.b.get(1)]',
      values: [5, 6]
    }
  ])(
    '$name: plain values, marked as esbuild marks them',
    ({ chunk, probe, values }) => {
      const text = plainChunk(chunk, 'chunk.js')
      expect(text).not.toMatch(/\bexport\b/)
      const { exports, read } = run(text, probe)
      expect(exports.__esModule).toBe(true)
      expect(read).toEqual(values)
      // values, not esbuild's getters
      expect(Object.getOwnPropertyDescriptor(exports, 'a')).toHaveProperty(
        'value'
      )
    }
  )
})

describe('plainChunk: a chunk left to esbuild’s own form', () => {
  it.each([
    {
      name: 'an exported let assigned again (esbuild’s lazily initialised modules)',
      chunk: 'let n;function init(){n=1}export{n as a,init as b};'
    },
    {
      name: 'an exported binding counted up',
      chunk: 'let n=0;function up(){n++}export{n as a,up as b};'
    },
    {
      name: 'an exported binding assigned by destructuring',
      chunk: 'let n;function set(x){[n]=x}export{n as a,set as b};'
    },
    {
      name: 'another chunk’s binding exported again (live there)',
      chunk: 'import{x}from"./other.js";export{x as a};'
    },
    { name: 'no exports', chunk: 'console.log(1);' }
  ])('$name: unchanged', ({ chunk }) => {
    expect(plainChunk(chunk, 'chunk.js')).toBe(chunk)
  })

  const otherForm =
    "esbuild's chunk has an export form other than one export{…} list"
  it.each([
    {
      name: 'two export lists',
      chunk: 'const a=1,b=2;export{a};export{b};',
      error: otherForm
    },
    { name: 'a default export', chunk: 'export default 1;', error: otherForm },
    {
      name: 'a re-export from another chunk',
      chunk: 'export{x}from"./other.js";',
      error: otherForm
    },
    {
      name: 'a binding named exports',
      chunk: 'const exports=1;export{exports as a};',
      error: 'the chunk declares exports, which its CommonJS form needs'
    },
    {
      name: 'a binding named require',
      chunk: 'const require=1;export{require as a};',
      error: 'the chunk declares require, which its CommonJS form needs'
    },
    {
      name: 'this at its top level (in an arrow too)',
      chunk: 'const f=()=>this;export{f as a};',
      error:
        'the chunk reads this at its top level, which CommonJS gives as exports'
    }
  ])('$name: the build fails, naming the chunk', ({ chunk, error }) => {
    expect(() => plainChunk(chunk, 'dist/chunks/x.js')).toThrow(
      new Error(`dist/chunks/x.js: ${error}`)
    )
  })
})

describe('plainChunk: a namespace import of a node builtin', () => {
  it.each([
    {
      name: 'read member by member: the builtin itself',
      chunk:
        'import*as o from"os";import*as p from"node:path";const e=o.EOL+p.sep;',
      imports: ['const o=require("os");', 'const p=require("node:path");']
    },
    {
      name: 'its default read: left as an import (esbuild copies it)',
      chunk: 'import*as o from"os";const e=o.default.EOL;',
      imports: ['import*as o from"os";']
    },
    {
      name: 'a member written (=, +=, ++, delete): left as an import',
      chunk:
        'import*as f from"fs";import*as o from"os";import*as p from"path";import*as z from"zlib";f.x=1;o.y+=1;p.q++;delete z.r;',
      imports: [
        'import*as f from"fs";',
        'import*as o from"os";',
        'import*as p from"path";',
        'import*as z from"zlib";'
      ]
    },
    {
      name: 'a member written by a pattern or a loop: left as an import',
      chunk:
        'import*as f from"fs";import*as o from"os";import*as p from"path";import*as z from"zlib";[f.x]=[1];({k:o.y}={k:1});for(p.q of[]);[...z.r]=[];',
      imports: [
        'import*as f from"fs";',
        'import*as o from"os";',
        'import*as p from"path";',
        'import*as z from"zlib";'
      ]
    },
    {
      name: 'a member read in an object, a computed key or an optional chain: required',
      chunk:
        'import*as o from"os";let g;const e={k:o.EOL};({[o.x]:g}={});const h=o?.y;',
      imports: ['const o=require("os");']
    },
    {
      name: 'a member compared (==, <=, !==) or called: required',
      chunk:
        'import*as o from"os";const a=o.EOL=="\\n",b=o.x<=1,c=o.y!==2,d=o.cpus();',
      imports: ['const o=require("os");']
    },
    {
      name: "this inside a function or a class: not the module's, required",
      chunk:
        'import*as o from"os";function g(){return this}class K{m(){return this}}const e=o.EOL;',
      imports: ['const o=require("os");']
    },
    {
      name: 'passed on whole: left as an import',
      chunk: 'import*as f from"fs";function g(){return f}const e=f.sep;',
      imports: ['import*as f from"fs";']
    },
    {
      name: 'a package, not a builtin: left as an import',
      chunk: 'import*as y from"yaml";const e=y.parse;',
      imports: ['import*as y from"yaml";']
    },
    {
      name: 'an import after code: required at the start, where ESM hoists it',
      chunk: 'function g(){return o.EOL}const e=g();import*as o from"os";',
      imports: ['const o=require("os");function g()']
    },
    {
      name: 'a named import of a builtin: left as it is',
      chunk: 'import{EOL as e}from"os";const f=e;',
      imports: ['import{EOL as e}from"os";']
    }
  ])('$name', ({ chunk, imports }) => {
    const text = plainChunk(chunk, 'chunk.js')
    for (const line of imports) expect(text).toContain(line)
  })

  it('the required builtin reads as the namespace did', () => {
    const text = plainChunk(
      'import*as o from"os";const e=o.EOL;export{e as a};',
      'chunk.js'
    )
    expect(run(text, 'exports.a').read).toBe('\n')
  })
})

describe('assertNoChunkCycle: chunks that require each other as they load', () => {
  const imports = (...paths: string[]) => ({
    imports: paths.map(path => ({ path, kind: 'import-statement' }))
  })

  it.each([
    {
      name: 'a chain and a shared chunk',
      outputs: {
        'a.js': imports('b.js', 'c.js'),
        'b.js': imports('c.js'),
        'c.js': imports()
      }
    },
    {
      name: 'a cycle through import() only (loaded when called)',
      outputs: {
        'a.js': imports('b.js'),
        'b.js': { imports: [{ path: 'a.js', kind: 'dynamic-import' }] }
      }
    }
  ])('$name: passes', ({ outputs }) => {
    expect(() => assertNoChunkCycle(outputs)).not.toThrow()
  })

  it('a cycle: the build fails, naming it', () => {
    const outputs = {
      'a.js': imports('b.js'),
      'b.js': imports('c.js'),
      'c.js': imports('a.js')
    }
    expect(() => assertNoChunkCycle(outputs)).toThrow(
      'chunks require each other: a.js -> b.js -> c.js -> a.js'
    )
  })
})
