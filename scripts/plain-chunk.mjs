// A chunk of esbuild's split ESM output made plain for CommonJS, before
// esbuild's transform turns it into CommonJS (scripts/build.mjs).
//
// esbuild's own ESM-to-CommonJS form gives each export a getter (for ESM's
// live bindings) and copies them into a fresh object as the module loads,
// and copies a namespace import of a node builtin (@actions/core's `os` and
// `fs`) into a fresh object too: on Node 24 a dry run spent about 5 % of its
// time on the getters and 1-2 % on the copies (docs/measured.md). Here a
// chunk's exports are set once, as its last statement, as values, and a
// builtin's namespace is the builtin. That keeps ESM's meaning where each
// exported binding is the chunk's own and never assigned after its
// declaration (else the chunk keeps esbuild's exports: esbuild's lazily
// initialised modules of @smithy, chunks that pass on another's exports),
// where a namespace is only read member by member, never its `default`, and
// where no chunk reads another's exports while that one loads
// (assertNoChunkCycle fails the build on a cycle).
import { isBuiltin } from 'node:module'
import { parse } from 'acorn'
import { analyze } from 'eslint-scope'

/** The chunk's top-level bindings (eslint-scope's variables), by name. */
function moduleVariables(program) {
  const scopes = analyze(program, { ecmaVersion: 2022, sourceType: 'module' })
  const variables = scopes.acquire(program, true).variables
  return new Map(variables.map(variable => [variable.name, variable]))
}

/**
 * Whether a binding's value may change after its declaration: some statement
 * assigns it again, or it is an import (another chunk's binding, live there).
 */
function isLive(variable) {
  return (
    variable.defs.some(def => def.type === 'ImportBinding') ||
    variable.references.some(
      reference => reference.isWrite() && !reference.init
    )
  )
}

/** Each node of `program` with its parent (eslint-scope's references are these nodes). */
function parentsOf(program) {
  const parents = new Map()
  const visit = (node, parent) => {
    if (Array.isArray(node)) node.forEach(child => visit(child, parent))
    else if (node !== null && typeof node?.type === 'string') {
      parents.set(node, parent)
      for (const child of Object.values(node)) visit(child, node)
    }
  }
  visit(program, undefined)
  return parents
}

/** Whether `member` is where a value is stored (`=`, `op=`, `++`, `delete`, a pattern, a loop's). */
function isWritten(member, parents) {
  const parent = parents.get(member)
  switch (parent.type) {
    case 'AssignmentExpression':
    case 'AssignmentPattern':
    case 'ForInStatement':
    case 'ForOfStatement':
      return parent.left === member
    case 'UpdateExpression':
    case 'ArrayPattern':
    case 'RestElement':
      return true
    case 'UnaryExpression':
      return parent.operator === 'delete'
    case 'Property':
      return (
        parent.value === member && parents.get(parent).type === 'ObjectPattern'
      )
    default:
      return false
  }
}

/**
 * Whether every use of `variable` reads a member other than `default` (under ESM a namespace's
 * members cannot be written: the builtin's could).
 */
function readsMembersOnly(variable, parents) {
  return variable.references.every(({ identifier }) => {
    const member = parents.get(identifier)
    return (
      member.type === 'MemberExpression' &&
      member.object === identifier &&
      !member.computed &&
      member.property.name !== 'default' &&
      !isWritten(member, parents)
    )
  })
}

/**
 * Whether `node` uses `this` outside every function but an arrow and every class: the module's
 * `this`, undefined in ESM, which a chunk with no import or export left would give as `exports`.
 */
function usesModuleThis(node) {
  if (Array.isArray(node)) return node.some(usesModuleThis)
  if (node === null || typeof node !== 'object') return false
  if (node.type === 'ThisExpression') return true
  if (/^(Function|Class)(Declaration|Expression)$/.test(node.type)) return false
  return Object.values(node).some(usesModuleThis)
}

/** Edits of `text`: the export list as assignments of values, when no export is live. */
function exportEdits(program, variables, path) {
  const lists = program.body.filter(node => node.type.startsWith('Export'))
  if (lists.length === 0) return []
  const [list] = lists
  if (lists.length > 1 || list.type !== 'ExportNamedDeclaration' || list.source)
    throw new Error(
      `${path}: esbuild's chunk has an export form other than one export{…} list`
    )
  if (list.specifiers.some(({ local }) => isLive(variables.get(local.name))))
    return []
  const pairs = list.specifiers.map(
    ({ local, exported }) => `${JSON.stringify(exported.name)}:${local.name}`
  )
  // marked as esbuild marks its own: an import() of the chunk reads it
  const assign = `Object.defineProperty(exports,"__esModule",{value:!0});Object.assign(exports,{${pairs.join(',')}});`
  return [
    { start: list.start, end: list.end, text: '' },
    { start: program.end, end: program.end, text: `\n${assign}\n` }
  ]
}

/**
 * Edits of `text`: each namespace import of a node builtin read member by member, required at the
 * chunk's start (where ESM hoists an import; esbuild may print code before one).
 */
function namespaceEdits(program, variables) {
  const parents = parentsOf(program)
  return program.body
    .filter(
      node =>
        node.type === 'ImportDeclaration' &&
        isBuiltin(node.source.value) &&
        node.specifiers.length === 1 &&
        node.specifiers[0].type === 'ImportNamespaceSpecifier' &&
        readsMembersOnly(variables.get(node.specifiers[0].local.name), parents)
    )
    .flatMap(node => [
      { start: node.start, end: node.end, text: '' },
      {
        start: 0,
        end: 0,
        text: `const ${node.specifiers[0].local.name}=require(${JSON.stringify(node.source.value)});`
      }
    ])
}

/** `text` (one ESM chunk) made plain, as the header says; `path` names it in an error. */
export function plainChunk(text, path) {
  const program = parse(text, {
    ecmaVersion: 'latest',
    sourceType: 'module',
    // eslint-scope reads each node's range
    ranges: true
  })
  const variables = moduleVariables(program)
  // the names the edits give their CommonJS meaning
  for (const name of ['exports', 'require'])
    if (variables.has(name))
      throw new Error(
        `${path}: the chunk declares ${name}, which its CommonJS form needs`
      )
  if (usesModuleThis(program.body))
    throw new Error(
      `${path}: the chunk reads this at its top level, which CommonJS gives as exports`
    )
  return [
    ...exportEdits(program, variables, path),
    ...namespaceEdits(program, variables)
  ]
    .sort((a, b) => b.start - a.start)
    .reduce(
      (edited, edit) =>
        edited.slice(0, edit.start) + edit.text + edited.slice(edit.end),
      text
    )
}

/**
 * Fails the build on a cycle of chunks that require each other as they load:
 * a chunk's plain exports are only set when its body has run, so in a cycle
 * one chunk would find another's still empty.
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
