// A chunk of esbuild's split ESM output, with its export list made plain
// CommonJS assignments, for scripts/build.mjs.
//
// esbuild's own ESM-to-CommonJS form gives each export a getter (for ESM's
// live bindings) and copies them into a fresh object as the module loads: on
// Node 24 a dry run spent about 5 % of its time compiling and calling those
// getters (docs/measured.md). Here a chunk's exports are set once, as its
// last statement, as values. That keeps ESM's meaning where each exported
// binding is its own and never assigned after its declaration (checked here:
// a chunk where one is, such as esbuild's lazily initialised modules of
// @smithy, keeps esbuild's form), and where no chunk reads another's exports
// while that one loads (assertNoChunkCycle fails the build on a cycle).
import { parse } from 'acorn'
import { analyze } from 'eslint-scope'

/**
 * The module's top-level bindings whose value may change after they are
 * declared: one some statement assigns again, or an import (another chunk's
 * binding, live there).
 */
function liveBindings(program) {
  const scopes = analyze(program, { ecmaVersion: 2022, sourceType: 'module' })
  const moduleScope = scopes.acquire(program, true)
  return new Set(
    moduleScope.variables
      .filter(
        variable =>
          variable.defs.some(def => def.type === 'ImportBinding') ||
          variable.references.some(
            reference => reference.isWrite() && !reference.init
          )
      )
      .map(variable => variable.name)
  )
}

/**
 * `text` (one ESM chunk) with its `export{…}` list replaced by plain
 * assignments to `exports`, marked `__esModule` as esbuild's own form is (an
 * `import()` of the chunk reads it so); unchanged where an exported binding
 * is live. `path` names the chunk in an error.
 */
export function plainExports(text, path) {
  const program = parse(text, {
    ecmaVersion: 'latest',
    sourceType: 'module',
    // eslint-scope reads each node's range
    ranges: true
  })
  const lists = program.body.filter(node => node.type.startsWith('Export'))
  if (lists.length === 0) return text
  const [list] = lists
  if (lists.length > 1 || list.type !== 'ExportNamedDeclaration' || list.source)
    throw new Error(
      `${path}: esbuild's chunk has an export form other than one export{…} list`
    )
  const live = liveBindings(program)
  if (list.specifiers.some(({ local }) => live.has(local.name))) return text
  const pairs = list.specifiers.map(
    ({ local, exported }) => `${JSON.stringify(exported.name)}:${local.name}`
  )
  return (
    text.slice(0, list.start) +
    text.slice(list.end) +
    `\nObject.defineProperty(exports,"__esModule",{value:!0});Object.assign(exports,{${pairs.join(',')}});\n`
  )
}

/**
 * Fails the build on a cycle of chunks that require each other as they load:
 * a chunk's plain exports are only set when its body has run, so in a cycle one chunk would find another's still empty.
 */
export function assertNoChunkCycle(outputs) {
  const done = new Set()
  const visit = (file, path) => {
    if (path.includes(file))
      throw new Error(
        `chunks require each other: ${[...path, file].join(' -> ')}`
      )
    if (done.has(file)) return
    for (const { path: next, kind, external } of outputs[file]?.imports ?? [])
      if (!external && kind === 'import-statement') visit(next, [...path, file])
    done.add(file)
  }
  for (const file of Object.keys(outputs)) visit(file, [])
}
