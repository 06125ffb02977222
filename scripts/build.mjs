// Bundles the entry points with esbuild into dist/ (committed: the runner
// executes it). `node scripts/build.mjs bench` bundles the bench instead.
//
// - ESM with code splitting: the lazy import()s in src/ become chunks, so a
//   dry run never parses the docker or registry code.
// - @actions/core imports its OIDC client, and with it @actions/http-client,
//   undici and tunnel, at load time. We never call getIDToken: those packages
//   are marked free of side effects, so esbuild drops them with the unused
//   exports instead of running their CommonJS wrappers at start-up.
// - The bundled CommonJS packages (semver, ...) call require(): a banner gives
//   each ESM file a require of its own.
import { build } from 'esbuild'
import {
  chmodSync,
  existsSync,
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
  banner: {
    js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);"
  },
  plugins: [sideEffectFree],
  metafile: true,
  logLevel: 'warning'
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
function licenses(metafile) {
  const bundled = Object.values(metafile.outputs).flatMap(output =>
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

async function buildDist() {
  rmSync('dist', { recursive: true, force: true })
  const { metafile } = await build({
    ...common,
    entryPoints: [
      { in: 'src/index.ts', out: 'index' },
      { in: 'src/post.ts', out: 'post/index' },
      { in: 'src/cli.ts', out: 'cli/index' }
    ],
    outdir: 'dist',
    chunkNames: 'chunks/[name]-[hash]'
  })
  writeFileSync('dist/licenses.txt', licenses(metafile))
  writeFileSync('dist/package.json', '{"type":"module"}\n')
  chmodSync('dist/cli/index.js', 0o755)
  if (process.env.METAFILE)
    writeFileSync(process.env.METAFILE, JSON.stringify(metafile))
}

/** The bench sits two folders below the repository (test/e2e/runner.ts finds ROOT so). */
async function buildBench() {
  const outfile = '.bench/run/index.js'
  rmSync(dirname(outfile), { recursive: true, force: true })
  await build({
    ...common,
    splitting: false,
    entryPoints: ['scripts/bench/index.ts'],
    outfile
  })
}

await (process.argv[2] === 'bench' ? buildBench() : buildDist())
