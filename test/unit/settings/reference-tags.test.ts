import { describe, expect, it } from '@jest/globals'
import {
  isReferenceLine,
  readReferenceTags,
  splitReferenceLists
} from '../../../src/settings/reference-tags.js'
import { parseImages } from '../../../src/settings/image-lines.js'

describe('isReferenceLine: a build-push-action tag, not a metadata-action rule', () => {
  it.each([
    {
      name: 'registry, name and tag',
      line: 'localhost:5000/ux/app:1.2.3',
      expected: true
    },
    {
      name: 'Docker Hub name and tag',
      line: 'acme/app:latest',
      expected: true
    },
    {
      name: 'a rule',
      line: 'type=semver,pattern={{version}}',
      expected: false
    },
    { name: 'a raw shorthand value', line: 'nightly', expected: false },
    {
      name: 'a rule whose value has a colon',
      line: 'type=raw,value=a:b',
      expected: false
    }
  ])('$name', ({ line, expected }) => {
    expect(isReferenceLine(line)).toBe(expected)
  })
})

describe("splitReferenceLists: build-push-action's comma-separated tags", () => {
  it.each([
    {
      name: 'references on one line, commas and spaces',
      lines: ['ghcr.io/o/app:1.2.3, ghcr.io/o/app:latest,'],
      expected: ['ghcr.io/o/app:1.2.3', 'ghcr.io/o/app:latest']
    },
    {
      name: 'a rule keeps its commas',
      lines: ['type=semver,pattern={{version}}'],
      expected: ['type=semver,pattern={{version}}']
    }
  ])('$name', ({ lines, expected }) => {
    expect(splitReferenceLists(lines)).toEqual(expected)
  })
})

describe('readReferenceTags', () => {
  it('rules: not references, nothing to read', () => {
    expect(readReferenceTags(['type=ref,event=tag'], [], [])).toBeUndefined()
  })

  const LOCAL_APP = {
    name: 'localhost:5000/ux/app',
    registry: 'localhost:5000',
    apiHost: 'localhost:5000',
    scheme: 'http',
    repository: 'ux/app'
  }

  it.each([
    {
      name: 'images empty: the references are the whole list',
      lines: ['localhost:5000/ux/app:1.2.3', 'localhost:5000/ux/app:latest'],
      images: [],
      expected: {
        images: [LOCAL_APP],
        tags: ['type=raw,value=1.2.3', 'type=raw,value=latest'],
        flavor: ['latest=false']
      }
    },
    {
      name: 'images given and named by the references: published as given, no tag mangled',
      lines: ['localhost:5000/ux/app:1.2.3'],
      images: ['localhost:5000/ux/app'],
      expected: {
        images: [LOCAL_APP],
        tags: ['type=raw,value=1.2.3'],
        flavor: ['latest=false']
      }
    },
    {
      name: 'two registries with the same tags',
      lines: ['ghcr.io/o/app:2.0', 'o/app:2.0'],
      images: [],
      expected: {
        images: [
          {
            name: 'ghcr.io/o/app',
            registry: 'ghcr.io',
            apiHost: 'ghcr.io',
            scheme: 'https',
            repository: 'o/app'
          },
          {
            name: 'o/app',
            registry: 'docker.io',
            apiHost: 'registry-1.docker.io',
            scheme: 'https',
            repository: 'o/app'
          }
        ],
        tags: ['type=raw,value=2.0'],
        flavor: ['latest=false']
      }
    }
  ])('$name', ({ lines, images, expected }) => {
    expect(readReferenceTags(lines, parseImages(images), [])).toEqual(expected)
  })

  it.each([
    {
      name: 'a mix of rules and references names the rule',
      lines: ['ghcr.io/o/app:1.0', 'type=sha'],
      images: [],
      error:
        /input "tags": invalid value "type=sha": tags is either metadata-action rules/
    },
    {
      name: 'a reference to an image not in images',
      lines: ['ghcr.io/o/other:1.0'],
      images: ['ghcr.io/o/app'],
      error:
        /input "tags": invalid value "ghcr.io\/o\/other:1.0": ghcr.io\/o\/other is not among the images input/
    },
    {
      name: 'images given different tags',
      lines: ['ghcr.io/o/app:1.0', 'o/app:2.0'],
      images: [],
      error:
        /input "tags": invalid value "o\/app:2.0": every image gets the same tags here/
    }
  ])('$name', ({ lines, images, error }) => {
    expect(() => readReferenceTags(lines, parseImages(images), [])).toThrow(
      error
    )
  })
})
