import { describe, expect, it } from '@jest/globals'
import { parseImageName } from '../../../src/reference/images.js'
import { parseImages } from '../../../src/settings/image-lines.js'

describe('parseImageName', () => {
  it.each([
    {
      name: 'docker hub short',
      value: 'app',
      image: 'app',
      registry: 'docker.io'
    },
    {
      name: 'docker hub namespace',
      value: 'Owner/App',
      image: 'owner/app',
      registry: 'docker.io'
    },
    {
      name: 'ghcr',
      value: 'ghcr.io/o/a',
      image: 'ghcr.io/o/a',
      registry: 'ghcr.io'
    },
    {
      name: 'host with port',
      value: '127.0.0.1:5001/team/app',
      image: '127.0.0.1:5001/team/app',
      registry: '127.0.0.1:5001'
    },
    {
      name: 'localhost',
      value: 'localhost/app',
      image: 'localhost/app',
      registry: 'localhost'
    },
    {
      name: 'separators',
      value: 'gcr.io/p/my_app__x.y-z',
      image: 'gcr.io/p/my_app__x.y-z',
      registry: 'gcr.io'
    }
  ])('$name', ({ value, image, registry }) => {
    const parsed = parseImageName(value)
    expect({ name: parsed.name, registry: parsed.registry }).toEqual({
      name: image,
      registry
    })
  })

  it.each([
    { name: 'empty', value: '' },
    { name: 'tag included', value: 'ghcr.io/o/app:1.0' },
    { name: 'digest included', value: 'o/app@sha256:abc' },
    { name: 'double slash', value: 'o//app' },
    { name: 'leading separator', value: '-app' },
    { name: 'trailing separator', value: 'app-' },
    { name: 'space', value: 'my app' },
    { name: 'triple underscore', value: 'a___b' }
  ])('rejects $name', ({ value }) => {
    expect(() => parseImageName(value)).toThrow(
      /input "images".*expected an image name/
    )
  })
})

describe('parseImages', () => {
  it.each([
    {
      name: 'plain lines',
      lines: ['a/b', 'ghcr.io/a/b'],
      images: ['a/b', 'ghcr.io/a/b']
    },
    { name: 'name= attribute', lines: ['name=a/b'], images: ['a/b'] },
    {
      name: 'disabled image dropped',
      lines: ['name=a/b,enable=false', 'c/d'],
      images: ['c/d']
    },
    {
      name: 'duplicates after lower-casing',
      lines: ['A/B', 'a/b'],
      images: ['a/b']
    }
  ])('$name', ({ lines, images }) => {
    expect(parseImages(lines).map(i => i.name)).toEqual(images)
  })

  it('rejects an unknown attribute naming the input', () => {
    expect(() => parseImages(['name=a/b,color=red'])).toThrow(
      /input "images": invalid value "name=a\/b,color=red"/
    )
  })
})
