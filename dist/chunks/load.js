'use strict'
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
