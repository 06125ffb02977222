// The layers of src/, lowest first, and the lint rules that keep them honest
// (eslint.config.js turns them on; test/unit/lint/layers.test.ts plants
// violations and checks that each rule fires).
//
// - layers/order: a module imports only its own layer or a lower one; two
//   layers of the same rank do not import each other; a pure module imports
//   only pure modules and none of PURE_FORBIDDEN; every file of src/ belongs
//   to a layer (so a new folder, or a sixth loose file, is a decision); a
//   layer with `imports` imports only those layers below it.
// - layers/no-cycle: no module reaches itself through its imports.
// - no-restricted-globals: a pure module does not call the global fetch.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'

/**
 * Lowest first. `paths` are files or folders under the repository root; the
 * longest match wins. `impure` lists the
 * files of a pure layer that do I/O: only adapters may import them; `pureFiles`
 * the files of an adapter layer held pure. `imports`: the only layers below it
 * that a layer may import.
 */
export const LAYERS = [
  { name: 'errors', paths: ['src/errors'], pure: true },
  { name: 'csv', paths: ['src/csv'], pure: true },
  {
    name: 'context',
    paths: ['src/context'],
    pure: true,
    impure: ['src/context/event-file.ts']
  },
  { name: 'reference', paths: ['src/reference'], pure: true },
  { name: 'tags', paths: ['src/tags'], pure: true },
  { name: 'guards', paths: ['src/guards'], pure: true, rank: 'settings' },
  // clean-up's inputs are validated with every mode's, before anything runs
  {
    name: 'settings',
    paths: ['src/settings', 'src/cleanup/cleanup-settings.ts'],
    pure: true
  },
  { name: 'argv', paths: ['src/argv'], pure: true },
  { name: 'plan', paths: ['src/plan'], pure: true },
  // the client carries no caller's policy: image references and the logins it sends
  {
    name: 'registry',
    paths: ['src/registry'],
    imports: ['errors', 'csv', 'context', 'reference', 'settings']
  },
  { name: 'docker', paths: ['src/docker'] },
  { name: 'buildx', paths: ['src/buildx'] },
  { name: 'signing', paths: ['src/signing'], rank: 'buildx' },
  { name: 'layout', paths: ['src/layout'], rank: 'buildx' },
  {
    name: 'cleanup',
    paths: ['src/cleanup'],
    pureFiles: ['src/cleanup/cleanup-plan.ts', 'src/cleanup/cleanup-steps.ts']
  },
  { name: 'publish', paths: ['src/publish'] },
  { name: 'cli', paths: ['src/cli'], rank: 'action' },
  { name: 'action', paths: ['src/action'] },
  // the entries, and the node runtime's settings they make first
  {
    name: 'entry',
    paths: ['src/index.ts', 'src/post.ts', 'src/cli.ts', 'src/exit-safety.ts']
  }
]

/** What a pure module may not import (the engine has no I/O of its own). */
export const PURE_FORBIDDEN =
  /^(?:node:)?(?:fs|fs\/promises|child_process|http|https)$|^@actions\//

/** Files of the pure layers, for eslint's `files` (globs). */
export const PURE_FILES = LAYERS.flatMap(layer => [
  ...(layer.pure ? layer.paths : []).map(path =>
    path.endsWith('.ts') ? path : `${path}/**/*.ts`
  ),
  ...(layer.pureFiles ?? [])
])

/** Files of the pure layers that do I/O (eslint's `ignores`). */
export const IMPURE_FILES = LAYERS.flatMap(layer => layer.impure ?? [])

/** Layer names in order, with peers (same rank) joined by `, `. */
export function layerOrder() {
  const ranks = []
  for (const layer of LAYERS)
    if (layer.rank === undefined) ranks.push([layer.name])
  for (const layer of LAYERS)
    if (layer.rank !== undefined)
      ranks.find(rank => rank.includes(layer.rank)).unshift(layer.name)
  return ranks.map(rank => rank.join(', ')).join(' < ')
}

const RANK = new Map()
{
  let rank = 0
  for (const layer of LAYERS)
    if (layer.rank === undefined) RANK.set(layer.name, rank++)
  for (const layer of LAYERS)
    if (layer.rank !== undefined) RANK.set(layer.name, RANK.get(layer.rank))
}

function toPosix(path) {
  return path.split(sep).join('/')
}

/** The layer of a file (repository-relative, posix), or undefined. */
export function layerOf(file) {
  let best
  for (const layer of LAYERS)
    for (const path of layer.paths)
      if (file === path || file.startsWith(`${path}/`))
        if (best === undefined || path.length > best.path.length)
          best = { layer, path }
  return best?.layer
}

function isPure(file) {
  const layer = layerOf(file)
  if (layer?.pureFiles?.includes(file)) return true
  return layer?.pure === true && !(layer.impure ?? []).includes(file)
}

/** The file a relative specifier names ('./x.js' is x.ts). */
function resolveSpecifier(fromFile, specifier) {
  const target = resolve(dirname(fromFile), specifier)
  return target.replace(/\.js$/, '.ts')
}

const IMPORT = /(?:\bfrom|\bimport)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g

/** Relative imports of every module under src/, read from disk once. */
let diskGraph
function graphOf(root) {
  if (diskGraph?.root === root) return diskGraph.edges
  const edges = new Map()
  const walk = dir => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) walk(path)
      else if (name.endsWith('.ts')) {
        const text = readFileSync(path, 'utf8')
        edges.set(
          path,
          [...text.matchAll(IMPORT)].map(m => resolveSpecifier(path, m[1]))
        )
      }
    }
  }
  if (existsSync(join(root, 'src'))) walk(join(root, 'src'))
  diskGraph = { root, edges }
  return edges
}

/** The shortest path of imports from `start` back to `file`, or undefined. */
function pathBack(edges, start, file) {
  const cameFrom = new Map([[start, undefined]])
  const queue = [start]
  while (queue.length > 0) {
    const node = queue.shift()
    if (node === file) {
      const trail = []
      for (let at = node; at !== undefined; at = cameFrom.get(at))
        trail.unshift(at)
      return trail
    }
    for (const next of edges.get(node) ?? [])
      if (!cameFrom.has(next)) {
        cameFrom.set(next, node)
        queue.push(next)
      }
  }
  return undefined
}

/** Calls check(node, specifier) for every import, export-from and import(). */
function eachImport(check) {
  const source = node => {
    if (
      node.source?.type === 'Literal' &&
      typeof node.source.value === 'string'
    )
      check(node.source, node.source.value)
  }
  return {
    ImportDeclaration: source,
    ExportNamedDeclaration: source,
    ExportAllDeclaration: source,
    ImportExpression: source
  }
}

const order = {
  meta: {
    type: 'problem',
    docs: {
      description: 'Keeps the layers of src/ in order (scripts/layers.mjs)'
    },
    schema: []
  },
  create(context) {
    const root = context.cwd
    const file = toPosix(relative(root, context.filename))
    if (!file.startsWith('src/')) return {}
    const layer = layerOf(file)
    if (layer === undefined)
      return {
        Program(node) {
          context.report({
            node,
            message: `${file} belongs to no layer: put it in a layer's folder, or add it to LAYERS in scripts/layers.mjs (${layerOrder()})`
          })
        }
      }
    const pure = isPure(file)
    return eachImport((node, specifier) => {
      if (!specifier.startsWith('.')) {
        if (pure && PURE_FORBIDDEN.test(specifier))
          context.report({
            node,
            message: `${file} is pure (layer ${layer.name}) and may not import ${specifier}: I/O belongs to the adapters`
          })
        return
      }
      const target = toPosix(
        relative(root, resolveSpecifier(context.filename, specifier))
      )
      const to = layerOf(target)
      if (to === undefined || to === layer) {
        if (pure && to === layer && !isPure(target))
          context.report({
            node,
            message: `${file} is pure and may not import ${target}, which does I/O`
          })
        return
      }
      const [from, into] = [RANK.get(layer.name), RANK.get(to.name)]
      if (into > from)
        context.report({
          node,
          message: `${file} (layer ${layer.name}) may not import ${target} (layer ${to.name}, higher): layers import only downwards, ${layerOrder()}`
        })
      else if (layer.imports !== undefined && !layer.imports.includes(to.name))
        context.report({
          node,
          message: `${file} (layer ${layer.name}) may not import ${target} (layer ${to.name}): ${layer.name} imports only ${layer.imports.join(', ')}`
        })
      else if (into === from)
        context.report({
          node,
          message: `${file} (layer ${layer.name}) may not import ${target}: ${to.name} is its peer, and peers do not import each other (${layerOrder()})`
        })
      else if (pure && !isPure(target))
        context.report({
          node,
          message: `${file} is pure (layer ${layer.name}) and may not import ${target}, which does I/O`
        })
    })
  }
}

const noCycle = {
  meta: {
    type: 'problem',
    docs: {
      description: 'No module of src/ reaches itself through its imports'
    },
    schema: []
  },
  create(context) {
    const root = context.cwd
    const file = toPosix(relative(root, context.filename))
    if (!file.startsWith('src/')) return {}
    // the file as linted (it may differ from disk), the others as on disk
    const edges = new Map(graphOf(root))
    edges.set(context.filename, [])
    const own = []
    return {
      ...eachImport((node, specifier) => {
        if (!specifier.startsWith('.')) return
        const target = resolveSpecifier(context.filename, specifier)
        edges.get(context.filename).push(target)
        own.push({ node, target })
      }),
      'Program:exit'() {
        for (const { node, target } of own) {
          const trail = pathBack(edges, target, context.filename)
          if (trail === undefined) continue
          const names = [context.filename, ...trail].map(path =>
            toPosix(relative(root, path))
          )
          context.report({
            node,
            message: `import cycle: ${names.join(' → ')}`
          })
        }
      }
    }
  }
}

export const plugin = { rules: { order, 'no-cycle': noCycle } }

/** The flat-config objects that turn the layer rules on. */
export const layersConfig = [
  {
    files: ['src/**/*.ts'],
    plugins: { layers: plugin },
    rules: { 'layers/order': 'error', 'layers/no-cycle': 'error' }
  },
  {
    files: PURE_FILES,
    ignores: IMPURE_FILES,
    rules: {
      'no-restricted-globals': [
        'error',
        {
          name: 'fetch',
          message:
            'a pure module does no I/O: the registry client (src/registry) fetches'
        }
      ]
    }
  }
]
