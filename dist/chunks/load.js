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
    factory(module, module.exports)
  }
  return module.exports
}
