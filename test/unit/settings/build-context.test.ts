import { describe, expect, it } from '@jest/globals'
import {
  expandBuildContexts,
  expandContext,
  gitAuthSecret,
  LOCAL_ORIGIN,
  onServer,
  type ContextOrigin
} from '../../../src/settings/build-context.js'
import { parseSettings } from '../../../src/settings/settings.js'

const SHA = '92f4b3fe72a2c071ab50dbd925b0e8d9fda1de99'
const URL = `https://github.com/acme/webapp.git#${SHA}`
const RUNNER: ContextOrigin = {
  runner: true,
  serverUrl: 'https://github.com',
  git: { url: URL }
}

const source = (inputs: Record<string, string | undefined>) => (name: string) =>
  inputs[name] ?? ''

describe('expandContext', () => {
  it.each([
    {
      name: 'the default context',
      value: '{{defaultContext}}',
      runner: URL,
      local: '.'
    },
    {
      name: 'spaces inside the braces',
      value: '{{ defaultContext }}',
      runner: URL,
      local: '.'
    },
    {
      name: 'a subdir',
      value: '{{defaultContext}}:docker/app',
      runner: `${URL}:docker/app`,
      local: 'docker/app'
    },
    {
      name: 'a subdir with a trailing slash',
      value: '{{defaultContext}}:app/',
      runner: `${URL}:app`,
      local: 'app'
    },
    {
      name: 'subdir . is the root',
      value: '{{defaultContext}}:.',
      runner: URL,
      local: '.'
    },
    { name: 'a path stays', value: './app', runner: './app', local: './app' },
    {
      name: 'a URL stays',
      value: 'https://github.com/o/r.git#main',
      runner: 'https://github.com/o/r.git#main',
      local: 'https://github.com/o/r.git#main'
    }
  ])('$name', ({ value, runner, local }) => {
    expect(expandContext(value, 'context', RUNNER)).toBe(runner)
    expect(expandContext(value, 'context', LOCAL_ORIGIN)).toBe(local)
  })

  it.each([
    {
      name: 'another expression',
      value: '{{context}}',
      why: /the only expression here is \{\{defaultContext\}\}/
    },
    {
      name: 'the expression not first',
      value: 'x/{{defaultContext}}',
      why: /it starts the value/
    },
    {
      name: 'a ref after it',
      value: '{{defaultContext}}#main',
      why: /the only expression here/
    },
    {
      name: 'an empty subdir',
      value: '{{defaultContext}}:',
      why: /must be a folder of the repository/
    },
    {
      name: 'a subdir leaving the repository',
      value: '{{defaultContext}}:../x',
      why: /without \.\./
    },
    {
      name: 'an absolute subdir',
      value: '{{defaultContext}}:/app',
      why: /relative/
    },
    {
      name: 'a subdir with a ref in it',
      value: '{{defaultContext}}:app#main',
      why: /must be a folder/
    }
  ])('$name is refused in one line naming the input', ({ value, why }) => {
    const expand = () => expandContext(value, 'context', RUNNER)
    expect(expand).toThrow(why)
    expect(expand).toThrow(
      `input "context": invalid value ${JSON.stringify(value)}`
    )
  })

  it('a runner that names no repository refuses it', () => {
    expect(() =>
      expandContext('{{defaultContext}}', 'context', {
        runner: true,
        serverUrl: 'https://github.com'
      })
    ).toThrow(/needs GITHUB_REPOSITORY and GITHUB_SHA/)
  })
})

describe('expandBuildContexts', () => {
  it.each([
    {
      name: 'the default context by name',
      line: 'src={{defaultContext}}',
      out: `src=${URL}`
    },
    {
      name: 'a subdir of it',
      line: 'web={{defaultContext}}:web',
      out: `web=${URL}:web`
    },
    {
      name: 'an image stays',
      line: 'alpine=docker-image://alpine:3.20',
      out: 'alpine=docker-image://alpine:3.20'
    }
  ])('$name', ({ line, out }) => {
    expect(expandBuildContexts([line], RUNNER)).toEqual([out])
  })

  it('names build-contexts when it refuses a line', () => {
    expect(() => expandBuildContexts(['src={{ref}}'], RUNNER)).toThrow(
      /input "build-contexts": invalid value "\{\{ref\}\}"/
    )
  })
})

describe('gitAuthSecret: github-token only for a Git context on the server', () => {
  const build = (
    context: string,
    more: Partial<Parameters<typeof gitAuthSecret>[1]> = {}
  ) => ({
    context,
    buildContexts: [],
    secrets: [],
    secretFiles: [],
    secretEnvs: [],
    ...more
  })
  it.each([
    {
      name: 'the default context',
      build: build(URL),
      secret: ['GIT_AUTH_TOKEN.github.com=tok']
    },
    {
      name: 'another repository on the server',
      build: build('https://github.com/o/other.git#main'),
      secret: ['GIT_AUTH_TOKEN.github.com=tok']
    },
    {
      name: 'a build context of the server',
      build: build('.', { buildContexts: [`src=${URL}:src`] }),
      secret: ['GIT_AUTH_TOKEN.github.com=tok']
    },
    { name: 'a local path', build: build('.'), secret: [] },
    {
      name: 'another host',
      build: build('https://gitlab.com/o/r.git#main'),
      secret: []
    },
    {
      name: 'http on an https server',
      build: build('http://github.com/o/r.git#main'),
      secret: []
    },
    {
      name: 'a git:// URL of the host',
      build: build('git://github.com/o/r.git#main'),
      secret: []
    },
    {
      name: 'the user gives GIT_AUTH_TOKEN',
      build: build(URL, { secrets: ['GIT_AUTH_TOKEN=mine'] }),
      secret: []
    },
    {
      name: 'the user gives the host form as an env secret',
      build: build(URL, {
        secretEnvs: ['GIT_AUTH_TOKEN.github.com=MY_TOKEN']
      }),
      secret: []
    }
  ])('$name', ({ build, secret }) => {
    expect(gitAuthSecret('tok', build, RUNNER)).toEqual(secret)
  })

  it('an empty token gives nothing', () => {
    expect(gitAuthSecret('', build(URL), RUNNER)).toEqual([])
  })

  it('the id names the host with its port', () => {
    const origin = { runner: true, serverUrl: 'http://127.0.0.1:5006' }
    expect(
      gitAuthSecret('tok', build('http://127.0.0.1:5006/o/r.git#abc'), origin)
    ).toEqual(['GIT_AUTH_TOKEN.127.0.0.1:5006=tok'])
  })

  it.each([
    { name: 'same host', context: 'https://github.com/o/r.git', on: true },
    { name: 'not a URL', context: './app', on: false },
    {
      name: 'another port',
      context: 'https://github.com:8443/o/r.git',
      on: false
    }
  ])('onServer: $name', ({ context, on }) => {
    expect(onServer(context, 'https://github.com')).toBe(on)
  })
})

describe('parseSettings with the runner origin', () => {
  it.each([
    {
      name: 'empty context in build mode: the Git context',
      inputs: { push: 'false' },
      context: URL
    },
    {
      name: 'a subdir with file, target and build-args',
      inputs: {
        push: 'false',
        context: '{{defaultContext}}:app',
        file: 'docker/Dockerfile',
        target: 'final',
        'build-args': 'GREETING=hi'
      },
      context: `${URL}:app`
    },
    {
      name: '. as before',
      inputs: { push: 'false', context: '.' },
      context: '.'
    },
    {
      name: 'promote mode: unused, .',
      inputs: {
        mode: 'promote',
        source: 'r.example/a:1',
        images: 'r.example/b'
      },
      context: '.'
    }
  ])('$name', async ({ inputs, context }) => {
    const settings = await parseSettings(source(inputs), RUNNER)
    expect(settings.build.context).toBe(context)
  })

  it('github-token becomes the secret of the Git context, after the user secrets', async () => {
    const settings = await parseSettings(
      source({ push: 'false', 'github-token': 'ghs_x', secrets: 'a=1' }),
      RUNNER
    )
    expect(settings.build.secrets).toEqual([
      'a=1',
      'GIT_AUTH_TOKEN.github.com=ghs_x'
    ])
  })

  it('github-token stays out with context .', async () => {
    const settings = await parseSettings(
      source({ push: 'false', context: '.', 'github-token': 'ghs_x' }),
      RUNNER
    )
    expect(settings.build.secrets).toEqual([])
  })

  it('the CLI keeps . as its default', async () => {
    const settings = await parseSettings(source({ push: 'false' }))
    expect(settings.build.context).toBe('.')
  })
})
