// Bundles the entry points with esbuild into dist/ (committed: the runner
// executes it). `node scripts/build.mjs bench` bundles the bench instead.
//
// Start-up is most of a dry run's time (README, "Measured"), so the action's
// two entries are built for it:
// - dist/index.js and dist/post/index.js are CommonJS: node's ESM loader
//   alone costs a start-up more than our whole engine (it loads its own
//   modules, fs/promises and streams, and reads each file asynchronously).
//   dist/package.json says so; dist/cli/ stays ESM with chunks.
// - dist/index.js is a 1 KiB entry: it sends the engine its GET /info
//   (src/docker/engine-info.ts), which dockerd takes 20-40 ms to answer, and
//   only then requires the action's code, dist/chunks/action.js: the answer
//   comes while node compiles and runs it. dist/post/index.js is one file.
// - The action's modules are split as esbuild splits ESM (splitActionEntry):
//   each import() of src/ a chunk of its own (the real run's phases, the
//   clean-up, promote's keyless check, ECR's token), a module two of them
//   need in one shared chunk both require, then each file made CommonJS, its
//   exports plain values where none can change (plain-chunk.mjs: esbuild's
//   getters cost a dry run about 5 %). A
//   module is never in two files (assertOneCopy): two copies of a class fail
//   `instanceof` across them, and engine-info's early answer is one module's.
// - Third-party code a dry run does not run is not in those files: yaml and
//   @actions/exec (import()ed where used), csv-parse (called only for a
//   non-empty list input) and @noble/ciphers (only to open a cosign key) are
//   bundled on their own into dist/chunks/ and require()d on first use;
//   @sigstore/verify comes with promote's keyless gate, a module of src/
//   import()ed from its own dist/chunks/keyless-verify.js.
//   node:crypto and semver (which compiles its regular expressions as it
//   loads) are loaded on first use too, and so are node:http, node:https,
//   node:tls (with node:crypto under it: 17-25 ms of CPU on Node 24, 7-10 ms
//   on Node 20) and node:child_process (dgram): a dry run that asks no
//   registry and no docker never compiles them. @actions/core's delimiters take their
//   random UUIDs from src/action/random-uuid.ts, so a dry run never loads
//   node:crypto (about 7 ms).
// - @actions/core imports its OIDC client, and with it @actions/http-client,
//   undici and tunnel, at load time. We never call getIDToken: those
//   packages are marked free of side effects, so esbuild drops them with the
//   unused exports instead of running their CommonJS wrappers at start-up.
// - In the ESM CLI, a bundled CommonJS package that requires a node builtin
//   (yaml) goes through esbuild's require shim: the file that defines it gets
//   a require.
import { build, transform } from 'esbuild'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { assertNoChunkCycle, plainChunk } from './plain-chunk.mjs'

/** Packages only reachable through @actions/core's unused OIDC client. */
const SIDE_EFFECT_FREE = /^(@actions\/http-client|undici|tunnel)(\/|$)/

/**
 * @actions/core's own modules only define things (its summary module reads
 * fs.promises, which loads node's streams, as it is imported): marked free
 * of side effects, the post step, which writes no summary, drops them.
 */
const CORE_MODULE = /node_modules\/@actions\/core\/lib\//

const sideEffectFree = {
  name: 'side-effect-free',
  setup(build) {
    build.onResolve({ filter: /.*/ }, async args => {
      if (args.pluginData === 'resolving') return undefined
      const free =
        SIDE_EFFECT_FREE.test(args.path) ||
        (args.path.startsWith('./') && CORE_MODULE.test(args.importer))
      if (!free) return undefined
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

/**
 * @actions/core imports node:crypto (as `crypto`) only for the randomUUID of
 * its output and env delimiters: it gets src/action/random-uuid.ts instead,
 * which reads /dev/urandom (a dry run then never loads node:crypto).
 */
const coreDelimiters = {
  name: 'core-delimiters',
  setup(build) {
    build.onResolve({ filter: /^crypto$/ }, args =>
      /node_modules\/@actions\/core\//.test(args.importer)
        ? { path: resolve('src/action/random-uuid.ts') }
        : undefined
    )
  }
}

/** Packages bundled into dist/chunks/<file>.js, each on its own. */
const CHUNKS = {
  yaml: 'yaml',
  '@actions/exec': 'exec',
  'csv-parse/sync': 'csv-parse',
  // only the classic image store's save reads a tar
  'tar-stream': 'tar-stream',
  '@noble/ciphers/salsa.js': 'ciphers',
  // digest legs and the merge on a runner: the run's artifact service
  '@actions/artifact': 'artifact',
  // only a {{date}} or {{commit_date}} template renders a date
  'moment-timezone': 'moment',
  // github-attestations: GitHub's provenance, signed through Sigstore (src/signing/provenance-signer.ts)
  '@actions/attest': 'attest'
}

/**
 * A chunk's source: yaml and tar-stream stay CommonJS (their exports object
 * is what `import()` gives as default), @actions/exec is ESM-only.
 */
const COMMONJS_CHUNKS = new Set(['yaml', 'tar-stream', 'moment-timezone'])
const chunkSource = name =>
  COMMONJS_CHUNKS.has(name)
    ? `module.exports = require(${JSON.stringify(name)})`
    : `export * from ${JSON.stringify(name)}`

/** node:crypto's functions we call: hashes and ids, and the signing key's. */
const CRYPTO = [
  'createHash',
  'randomUUID',
  'createPrivateKey',
  'createPublicKey',
  'scryptSync',
  'sign',
  // keyless: the ephemeral key, and promote's check of a certificate
  'generateKeyPairSync',
  'X509Certificate',
  'verify',
  // the AWS SDK's signatures (dist/chunks/ecr.js)
  'createHmac',
  'getRandomValues'
]

/**
 * Statically imported modules whose functions are loaded on their first
 * call: `from` is a chunk of CHUNKS, a node builtin or a bundled CommonJS
 * module (`default`: its exports are the function). A name not listed here
 * fails the build: esbuild refuses a missing named import, and actionEntry a
 * namespace member (`crypto.x()`) that esbuild left undefined.
 */
const ON_FIRST_CALL = {
  // only @actions/core's platform module imports it statically
  '@actions/exec': { from: '@actions/exec', names: ['exec', 'getExecOutput'] },
  'csv-parse/sync': { from: 'csv-parse/sync', names: ['parse'] },
  'moment-timezone': { from: 'moment-timezone', names: ['default'] },
  crypto: { from: 'node:crypto', names: CRYPTO },
  'node:crypto': { from: 'node:crypto', names: CRYPTO },
  // cosign's key files (sign: key with a cosign.key)
  '@noble/ciphers/salsa.js': {
    from: '@noble/ciphers/salsa.js',
    names: ['xsalsa20poly1305']
  },
  // the registry client and docker: a dry run without credentials needs neither
  'node:http': { from: 'node:http', names: ['request', 'createServer'] },
  'node:https': { from: 'node:https', names: ['request'] },
  // a real run's files (layouts, uploads, the run folder): a dry run loads no fs/promises
  'node:fs/promises': {
    from: 'node:fs/promises',
    names: [
      'link',
      'mkdir',
      'readdir',
      'readFile',
      'rename',
      'rm',
      'stat',
      'writeFile'
    ]
  },
  // a remote BuildKit's mTLS probe (own-builder): node:tls loads crypto and its
  // secure context, and Node 24 compiles them at start-up
  'node:tls': { from: 'node:tls', names: ['connect'] },
  'node:child_process': {
    from: 'node:child_process',
    names: ['spawn', 'execFile']
  },
  // tag rules of type=semver, the CLI's git tags, the order of the releases a registry holds
  // (the floating guard's, cache: auto's pick) and buildx's version for `call`: a run that
  // reads no releases loads none (semver compiles its regular expressions as it loads)
  ...Object.fromEntries(
    ['parse', 'compare', 'rcompare', 'lt'].map(name => {
      const path = `semver/functions/${name}.js`
      return [path, { from: path, names: ['default'] }]
    })
  )
}

/**
 * The names in dist/chunks/ of the modules of src/ the action import()s (each
 * a chunk of its own, see splitActionEntry): the action's code, which the
 * entry requires once it has asked the engine for /info; keyless-verify (with
 * @sigstore/verify), import()ed by promote's gate; ecr (the AWS SDK's ECR
 * clients), by a run with an ECR login; the real run's phases. A module not
 * listed is named after its file; a shared chunk after its largest module.
 */
const ENTRY_CHUNKS = {
  'src/action/action-main.ts': 'action',
  'src/signing/keyless-verify.ts': 'keyless-verify',
  'src/publish/ecr-token.ts': 'ecr'
}

/** Where a file built into `outdir` finds dist/chunks/<file>.js (as a require() path). */
function chunkFilePath(outdir, file) {
  const path = relative(outdir, join('dist/chunks', `${file}.js`))
  return path.startsWith('.') ? path : `./${path}`
}

/**
 * Stable names for esbuild's chunks (its own carry a hash of their inputs'
 * paths, which differ between checkouts): file name -> new file name.
 */
function chunkNames(metafile, outdir) {
  const names = new Map()
  const taken = new Set(Object.values(CHUNKS))
  const name = (file, wanted) => {
    let unique = wanted
    for (let i = 2; taken.has(unique); i++) unique = `${wanted}-${i}`
    taken.add(unique)
    names.set(file, `${unique}.js`)
  }
  const outputs = Object.entries(metafile.outputs)
    .filter(([path]) => path.endsWith('.js'))
    .map(([path, output]) => [relative(outdir, path), output])
    .filter(([file]) => file !== 'index.js')
    .sort(([a], [b]) => a.localeCompare(b))
  // entry chunks first, so a shared chunk never takes an entry's name
  for (const [file, output] of outputs)
    if (output.entryPoint !== undefined)
      name(
        file,
        ENTRY_CHUNKS[output.entryPoint] ??
          output.entryPoint.replace(/^.*\//, '').replace(/\..*$/, '')
      )
  for (const [file, output] of outputs)
    if (output.entryPoint === undefined) {
      const [largest] = Object.entries(output.inputs)
        .filter(([input]) => input.startsWith('src/'))
        .sort(([, a], [, b]) => b.bytesInOutput - a.bytesInOutput)
        .map(([input]) => input.replace(/^.*\//, '').replace(/\..*$/, ''))
      name(file, `shared-${largest ?? 'modules'}`)
    }
  return names
}

/** Where an entry built into `outdir` finds a chunk (as a require() path). */
function chunkPath(outdir, name) {
  return chunkFilePath(outdir, CHUNKS[name])
}

/** A module whose functions require() `from` when first called. */
function onFirstCall(from, linked) {
  // a class (capitalised, e.g. X509Certificate) is constructed: `new` of a
  // function that returns an object gives that object
  // `default`, the module's exports as a function: its members (moment.tz)
  // load it too
  const functions = ON_FIRST_CALL[from].names.map(name =>
    name === 'default'
      ? 'export default new Proxy(() => {}, { apply: (_, self, args) => load()(...args), get: (_, key) => load()[key] })'
      : /^[A-Z]/.test(name)
        ? `export function ${name}(...args) { return new (load().${name})(...args) }`
        : `export function ${name}(...args) { return load().${name}(...args) }`
  )
  return [
    'let loaded',
    // in the linked action a chunk of CHUNKS comes through dist/chunks/load.js: esbuild's ESM
    // require() would resolve it from the file that defines its shim
    linked && CHUNKS[from]
      ? `const load = () => (loaded ??= ${LOAD}(${JSON.stringify(chunkPath('dist/chunks', from))}))`
      : `const load = () => (loaded ??= require(${JSON.stringify(from)}))`,
    ...functions
  ].join('\n')
}

/**
 * The CommonJS entries' plugin: chunks stay outside, ON_FIRST_CALL becomes
 * lazy. The CLI's (`outdir` undefined): only `names`, required by package
 * name (an installed CLI has its dependencies). `linked`: the split action's
 * (splitActionEntry).
 */
function lazyModules(
  outdir,
  names = [...new Set([...Object.keys(CHUNKS), ...Object.keys(ON_FIRST_CALL)])],
  linked = false
) {
  const escape = name => name.replace(/[/.]/g, '\\$&')
  const filter = new RegExp(`^(${names.map(escape).join('|')})$`)
  return {
    name: 'lazy-modules',
    setup(build) {
      build.onResolve({ filter }, args => {
        if (CHUNKS[args.path] && args.kind !== 'import-statement')
          return {
            path: outdir ? chunkPath(outdir, args.path) : args.path,
            external: true
          }
        if (args.namespace === 'lazy')
          // a builtin stays a require(), a bundled module is bundled
          return args.path.startsWith('node:')
            ? { path: args.path, external: true }
            : undefined
        if (args.kind === 'import-statement' && ON_FIRST_CALL[args.path])
          return { path: ON_FIRST_CALL[args.path].from, namespace: 'lazy' }
        return undefined
      })
      build.onLoad({ filter: /.*/, namespace: 'lazy' }, args => ({
        contents: onFirstCall(args.path, linked),
        resolveDir: '.',
        loader: 'js'
      }))
    }
  }
}

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  treeShaking: true,
  // NO_MINIFY=1 keeps names readable, e.g. for a CPU profile of a dry run
  minify: process.env.NO_MINIFY !== '1',
  legalComments: 'none',
  metafile: true,
  write: false,
  logLevel: 'warning'
}

// esbuild's stand-in for require() in ESM output, which throws unless a
// `require` is in scope where it is defined
const REQUIRE_SHIM = 'Dynamic require of'
const REQUIRE =
  "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);\n"

/** Writes the output files; in ESM only the one defining the shim gets a require. */
function writeOutputs(outputFiles, format) {
  for (const file of outputFiles) {
    let text = file.text
    if (format === 'esm' && text.includes(REQUIRE_SHIM)) {
      const hashbang = text.startsWith('#!') ? text.indexOf('\n') + 1 : 0
      text = text.slice(0, hashbang) + REQUIRE + text.slice(hashbang)
    }
    mkdirSync(dirname(file.path), { recursive: true })
    writeFileSync(file.path, text)
  }
}

/** Bundles one entry (or chunk); returns its metafile. */
async function bundle(options) {
  const { metafile, outputFiles } = await build({ ...common, ...options })
  writeOutputs(outputFiles, options.format)
  return metafile
}

/** A namespace member that ON_FIRST_CALL lacks is left as (void 0). */
function checkNamespaceMembers(path, text) {
  const missing = text.match(/\(void 0\)[(.]/)
  if (missing)
    throw new Error(
      `${path}: "${missing[0]}", a call or member esbuild found no export for (ON_FIRST_CALL lacks a name?)`
    )
}

/** The post step: one CommonJS file, lazy modules outside it. */
async function postEntry(entry, outfile) {
  const metafile = await bundle({
    format: 'cjs',
    entryPoints: [entry],
    outfile,
    supported: { 'dynamic-import': false },
    plugins: [sideEffectFree, coreDelimiters, lazyModules(dirname(outfile))]
  })
  checkNamespaceMembers(outfile, readFileSync(outfile, 'utf8'))
  return metafile
}

/**
 * dist/chunks/load.js: the one registry of the chunks that are defined inside
 * another file (see linkChunks); any other chunk is required from its file.
 */
const LOADER = `'use strict'
const factories = new Map()
const loaded = new Map()
exports.define = (id, factory) => void factories.set(id, factory)
exports.load = id => {
  let module = loaded.get(id)
  if (module === undefined) {
    const factory = factories.get(id)
    if (factory === undefined) return require(id)
    module = { exports: {} }
    loaded.set(id, module)
    try {
      factory(module, module.exports)
    } catch (error) {
      // as node's require: a chunk that failed to load is loaded again when asked again
      loaded.delete(id)
      throw error
    }
  }
  return module.exports
}
`
const LOAD = '__dpaLoad'
const DEFINE = '__dpaDefine'
const CHUNK_REQUIRE = /\brequire\("\.\/([\w.-]+\.js)"\)/g

/** The chunks `file` requires as it loads, and theirs (not what it import()s). */
function staticClosure(outputs, file, seen = new Set()) {
  for (const { path, kind, external } of outputs[file]?.imports ?? [])
    if (!external && kind === 'import-statement' && !seen.has(path)) {
      seen.add(path)
      staticClosure(outputs, path, seen)
    }
  return seen
}

/**
 * Each CommonJS chunk as text, in as few files as a dry run needs: what the
 * entry requires before it asks the engine is defined inside dist/index.js,
 * the action's chunk and what it requires inside dist/chunks/action.js (a
 * file read costs 0.3-0.4 ms on Node 24; esbuild gives twenty for a dry
 * run). Every chunk is loaded through dist/chunks/load.js, so each runs once
 * whichever file defines it.
 */
function linkChunks(metafile, outdir, codes, names) {
  const outputs = metafile.outputs
  const id = path =>
    `./${names.get(relative(outdir, path)) ?? relative(outdir, path)}`
  const entry = join(outdir, 'index.js')
  const action = Object.keys(outputs).find(
    path => outputs[path].entryPoint === 'src/action/action-main.ts'
  )
  const early = staticClosure(outputs, entry)
  const late = new Set(
    [action, ...staticClosure(outputs, action)].filter(p => !early.has(p))
  )
  const body = path =>
    codes.get(path).replace(CHUNK_REQUIRE, (_, file) => `${LOAD}("./${file}")`)
  const defines = paths =>
    [...paths]
      .map(
        path =>
          `${DEFINE}(${JSON.stringify(id(path))},(function(module,exports){${body(path)}\n}));`
      )
      .join('\n')
  const loader = from =>
    `var{load:${LOAD},define:${DEFINE}}=require(${JSON.stringify(from)});\n`
  const files = new Map([
    [join(outdir, 'load.js'), LOADER],
    [
      'dist/index.js',
      loader('./chunks/load.js') + defines(early) + '\n' + body(entry)
    ],
    [
      join(outdir, 'action.js'),
      loader('./load.js') +
        defines(late) +
        `\nmodule.exports=${LOAD}(${JSON.stringify(id(action))});\n`
    ]
  ])
  for (const path of codes.keys())
    if (path !== entry && !early.has(path) && !late.has(path))
      files.set(join(outdir, id(path)), loader('./load.js') + body(path))
  return files
}

/**
 * A chunk's path loaded other than through dist/chunks/load.js (esbuild's
 * require shim resolves it from the file that defines the shim, which may be
 * dist/index.js) fails the build.
 */
function checkChunkPaths(path, text) {
  const calls = text.matchAll(/([\w$]*)\("\.\/[\w.-]+\.js"\)/g)
  const stray = [...calls].find(
    ([call, callee]) =>
      callee !== LOAD &&
      call !== 'require("./load.js")' &&
      call !== 'require("./chunks/load.js")'
  )
  if (stray)
    throw new Error(
      `${path}: "${stray[0]}" loads a chunk other than through load.js`
    )
}

/**
 * The action's entry and every module of src/ it can load, split by esbuild
 * as the CLI is (each `import()` a chunk, a module two chunks need in a shared
 * chunk both require: one copy, so `instanceof` and module state hold across
 * them), each file turned into CommonJS (node's ESM loader never starts),
 * then linked into few files (linkChunks). dist/index.js is the entry; the
 * chunks are in dist/chunks/.
 */
async function splitActionEntry() {
  const outdir = 'dist/chunks'
  const { metafile, outputFiles } = await build({
    ...common,
    format: 'esm',
    splitting: true,
    entryPoints: [{ in: 'src/index.ts', out: 'index' }],
    outdir,
    chunkNames: '[name]-[hash]',
    plugins: [
      sideEffectFree,
      coreDelimiters,
      lazyModules(outdir, undefined, true)
    ]
  })
  assertNoChunkCycle(metafile.outputs)
  const names = chunkNames(metafile, outdir)
  const rename = text =>
    text.replace(/"\.\/([\w.-]+\.js)"/g, (whole, file) =>
      names.has(file) ? `"./${names.get(file)}"` : whole
    )
  const codes = new Map()
  for (const file of outputFiles) {
    const path = relative(process.cwd(), file.path)
    const { code } = await transform(plainChunk(rename(file.text), path), {
      format: 'cjs',
      platform: 'node',
      target: common.target,
      minify: common.minify,
      legalComments: 'none',
      // import() of a chunk as require()
      supported: { 'dynamic-import': false }
    })
    codes.set(path, code)
  }
  for (const [path, text] of linkChunks(metafile, outdir, codes, names)) {
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, text)
    checkNamespaceMembers(path, text)
    checkChunkPaths(path, text)
  }
  return metafile
}

/**
 * `import.meta.url` in a CommonJS chunk: this file's URL (@azure's ESM
 * build, which @actions/artifact imports, makes a require() from it).
 */
const READS_IMPORT_META = new Set(['@actions/artifact'])
const IMPORT_META_URL = {
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: {
    js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;"
  }
}

/** One CommonJS file for a package the entries require() on first use. */
function chunk(name) {
  return bundle({
    format: 'cjs',
    stdin: { contents: chunkSource(name), resolveDir: '.' },
    outfile: join('dist/chunks', `${CHUNKS[name]}.js`),
    plugins: [sideEffectFree],
    ...(READS_IMPORT_META.has(name) ? IMPORT_META_URL : {})
  })
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
 * Fails the build when a module of src/ is in two of the files the action
 * loads (the post step, a process of its own, and the CLI aside): two copies
 * of a class make `instanceof` false across them, two of a module with state
 * (engine-info's early answer) split it.
 */
function assertOneCopy(metafiles) {
  const files = new Map()
  for (const metafile of metafiles)
    for (const [output, { inputs }] of Object.entries(metafile.outputs))
      for (const [input, { bytesInOutput }] of Object.entries(inputs))
        if (input.startsWith('src/') && bytesInOutput > 0)
          files.set(input, [...(files.get(input) ?? []), output])
  const twice = [...files].filter(([, outputs]) => outputs.length > 1)
  if (twice.length > 0)
    throw new Error(
      `modules bundled into more than one file of the action:\n${twice
        .map(([input, outputs]) => `  ${input}: ${outputs.join(', ')}`)
        .join('\n')}`
    )
}

async function buildDist() {
  rmSync('dist', { recursive: true, force: true })
  const action = [await splitActionEntry()]
  for (const name of Object.keys(CHUNKS)) action.push(await chunk(name))
  assertOneCopy(action)
  const metafiles = [
    ...action,
    await postEntry('src/post.ts', 'dist/post/index.js')
  ]
  // the CLI: ESM, what it import()s in chunks next to it
  metafiles.push(
    await bundle({
      format: 'esm',
      splitting: true,
      entryPoints: [{ in: 'src/cli.ts', out: 'index' }],
      outdir: 'dist/cli',
      chunkNames: 'chunks/[name]-[hash]',
      // only an action on a runner has the run's artifact service and the
      // job's ID token that GitHub's attestations need: the CLI never loads
      // them (an installed CLI would find them in its dependencies)
      external: ['@actions/artifact', '@actions/attest'],
      // moment-timezone's zone data is most of a megabyte: the CLI requires
      // it only to render a date
      plugins: [sideEffectFree, lazyModules(undefined, ['moment-timezone'])]
    })
  )
  writeFileSync('dist/licenses.txt', licenses(metafiles))
  writeFileSync('dist/package.json', '{"type":"commonjs"}\n')
  writeFileSync('dist/cli/package.json', '{"type":"module"}\n')
  chmodSync('dist/cli/index.js', 0o755)
  if (process.env.METAFILE)
    writeFileSync(process.env.METAFILE, JSON.stringify(metafiles))
}

/** The bench sits two folders below the repository (test/e2e/runner.ts finds ROOT so). */
async function buildBench() {
  const outfile = '.bench/run/index.js'
  rmSync(dirname(outfile), { recursive: true, force: true })
  await bundle({
    format: 'esm',
    entryPoints: ['scripts/bench/index.ts'],
    outfile,
    plugins: [sideEffectFree]
  })
}

await (process.argv[2] === 'bench' ? buildBench() : buildDist())
