import { describe, expect, it } from '@jest/globals'
import { annotationFile } from '../../../src/docker/local-inputs.js'

describe('annotationFile: the Dockerfile as the workspace names it', () => {
  it.each([
    {
      name: 'default Dockerfile of the context',
      context: 'app',
      file: '',
      cwd: '/w',
      path: 'app/Dockerfile'
    },
    {
      name: 'context .',
      context: '.',
      file: '',
      cwd: '/w',
      path: 'Dockerfile'
    },
    {
      name: 'file from the workspace',
      context: 'app',
      file: 'docker/prod.Dockerfile',
      cwd: '/w',
      path: 'docker/prod.Dockerfile'
    },
    {
      name: 'absolute file in the workspace',
      context: '.',
      file: '/w/x/Dockerfile',
      cwd: '/w',
      path: 'x/Dockerfile'
    },
    {
      name: 'outside the workspace',
      context: '.',
      file: '/tmp/Dockerfile',
      cwd: '/w',
      path: undefined
    },
    { name: 'stdin', context: '.', file: '-', cwd: '/w', path: undefined },
    {
      name: 'Git context, its own Dockerfile',
      context: 'https://github.com/o/r.git#main',
      file: '',
      cwd: '/w',
      path: 'Dockerfile'
    },
    {
      name: 'Git context with a subdir and a file inside it',
      context: 'https://github.com/o/r.git#92f4b3f:app',
      file: 'docker/Dockerfile',
      cwd: '/w',
      path: 'app/docker/Dockerfile'
    },
    {
      name: 'Git context, a file leaving the repository',
      context: 'git://127.0.0.1:5005/o/r.git#abc',
      file: '../Dockerfile',
      cwd: '/w',
      path: undefined
    },
    {
      name: 'a tarball context: no file to name',
      context: 'https://example.com/context.tar.gz',
      file: '',
      cwd: '/w',
      path: undefined
    },
    {
      name: 'cwd below the workspace',
      context: '.',
      file: '',
      cwd: '/w/sub',
      path: 'sub/Dockerfile'
    }
  ])('$name', ({ context, file, cwd, path }) => {
    expect(annotationFile({ context, file }, cwd, '/w')).toBe(path)
  })
})
