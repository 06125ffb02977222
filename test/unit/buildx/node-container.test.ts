import { describe, expect, it } from '@jest/globals'
import { isUserContainerNode } from '../../../src/buildx/node-container.js'

describe('isUserContainerNode: the builders whose one BuildKit is a container we may restart', () => {
  it.each([
    { builder: { name: 'b', driver: 'docker-container' }, is: true },
    { builder: { name: 'b', driver: 'docker-container', nodes: 1 }, is: true },
    { builder: { name: 'b', driver: 'docker-container', nodes: 2 }, is: false },
    {
      builder: {
        name: 'dpa-run-1',
        driver: 'docker-container',
        own: {
          driver: 'docker-container' as const,
          driverOpts: [],
          reason: 'the classic store exports no gha cache'
        }
      },
      is: false
    },
    { builder: { name: 'default', driver: 'docker' }, is: false },
    { builder: { name: 'r', driver: 'remote' }, is: false }
  ])(
    '$builder.driver, $builder.nodes nodes, own: $builder.own → $is',
    ({ builder, is }) => {
      expect(isUserContainerNode(builder)).toBe(is)
    }
  )
})
