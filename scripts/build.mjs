// Bundles the entry points with esbuild into dist/ (committed: the runner
// executes it). `node scripts/build.mjs bench` bundles the bench instead.
//
// - ESM with code splitting: the lazy import()s in src/ become chunks, so a
//   dry run never parses the docker or registry code.
// - @actions/core imports its OIDC client, and with it @actions/http-client,
//   undici and tunnel, at load time. We never call getIDToken: those packages
//   are marked free of side effects, so esbuild drops them with the unused
//   exports instead of running their CommonJS wrappers at start-up.
// - A bundled CommonJS package that requires a node builtin (yaml) goes
//   through esbuild's require shim: the file that defines it gets a require.
import { build } from 'esbuild'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { dirname, join } from 'node:path'

/** Packages only reachable through @actions/core's unused OIDC client. */
const SIDE_EFFECT_FREE = /^(@actions\/http-client|undici|tunnel)(\/|$)/

const sideEffectFree = {
  name: 'side-effect-free',
  setup(build) {
    build.onResolve({ filter: SIDE_EFFECT_FREE }, async args => {
      if (args.pluginData === 'resolving') return undefined
      const result = await build.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: 'resolving'
      })
      if (result.errors.length > 0) return { errors: result.errors }
      return { ...result, sideEffects: false }
    })
  }
}

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  splitting: true,
  treeShaking: true,
  minify: true,
  legalComments: 'none',
  plugins: [sideEffectFree],
  metafile: true,
  write: false,
  logLevel: 'warning'
}

// esbuild's stand-in for require() in ESM output, which throws unless a
// `require` is in scope where it is defined
const REQUIRE_SHIM = 'Dynamic require of'
const REQUIRE =
  "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);\n"

/** Writes the output files; only the one defining the shim gets a require. */
function writeOutputs(outputFiles) {
  for (const file of outputFiles) {
    let text = file.text
    if (text.includes(REQUIRE_SHIM)) {
      const hashbang = text.startsWith('#!') ? text.indexOf('\n') + 1 : 0
      text = text.slice(0, hashbang) + REQUIRE + text.slice(hashbang)
    }
    mkdirSync(dirname(file.path), { recursive: true })
    writeFileSync(file.path, text)
  }
}

/** Bundles one entry into its folder, with its own chunks. */
async function bundle(options) {
  const { metafile, outputFiles } = await build({ ...common, ...options })
  writeOutputs(outputFiles)
  return metafile
}

/** The package folder (under node_modules) of a bundled input, if any. */
function packageDir(input) {
  const parts = input.split('/')
  const at = parts.lastIndexOf('node_modules')
  if (at < 0) return undefined
  const length = parts[at + 1].startsWith('@') ? 2 : 1
  return parts.slice(0, at + 1 + length).join('/')
}

const LICENSE_FILES = ['LICENSE', 'LICENSE.md', 'LICENSE.txt', 'license']

/** Name, licence and licence text of every package with code in the bundle. */
function licenses(metafiles) {
  const outputs = metafiles.flatMap(metafile => Object.values(metafile.outputs))
  const bundled = outputs.flatMap(output =>
    Object.entries(output.inputs)
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path]) => path)
  )
  const dirs = new Set(bundled.map(packageDir).filter(Boolean))
  return [...dirs]
    .map(dir => {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json')))
      const file = LICENSE_FILES.map(name => join(dir, name)).find(existsSync)
      const text = file === undefined ? '' : readFileSync(file, 'utf8').trim()
      return `${manifest.name}\n${manifest.license ?? ''}\n${text}\n`
    })
    .sort()
    .join('\n')
}

/**
 * Each entry is bundled on its own: what it imports statically is one file,
 * what it import()s are chunks next to it (shared chunks across entries would
 * make a start-up open more files).
 */
async function buildDist() {
  rmSync('dist', { recursive: true, force: true })
  const entries = [
    ['src/index.ts', 'dist'],
    ['src/post.ts', 'dist/post'],
    ['src/cli.ts', 'dist/cli']
  ]
  const metafiles = []
  for (const [entry, outdir] of entries)
    metafiles.push(
      await bundle({
        entryPoints: [{ in: entry, out: 'index' }],
        outdir,
        chunkNames: 'chunks/[name]-[hash]'
      })
    )
  writeFileSync('dist/licenses.txt', licenses(metafiles))
  writeFileSync('dist/package.json', '{"type":"module"}\n')
  chmodSync('dist/cli/index.js', 0o755)
  if (process.env.METAFILE)
    writeFileSync(process.env.METAFILE, JSON.stringify(metafiles))
}

/** The bench sits two folders below the repository (test/e2e/runner.ts finds ROOT so). */
async function buildBench() {
  const outfile = '.bench/run/index.js'
  rmSync(dirname(outfile), { recursive: true, force: true })
  await bundle({
    splitting: false,
    entryPoints: ['scripts/bench/index.ts'],
    outfile
  })
}

await (process.argv[2] === 'bench' ? buildBench() : buildDist())
