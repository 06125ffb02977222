import { describe, expect, it } from '@jest/globals'
import { parseCliArgs } from '../../../src/cli/args.js'

describe('parseCliArgs', () => {
  it.each([
    {
      name: 'boolean flag alone',
      argv: ['--dry-run'],
      inputs: { 'dry-run': 'true' }
    },
    {
      name: 'boolean flag with value',
      argv: ['--push', 'false'],
      inputs: { push: 'false' }
    },
    {
      name: 'value after space',
      argv: ['--images', 'a/b'],
      inputs: { images: 'a/b' }
    },
    {
      name: 'value after =',
      argv: ['--images=a/b'],
      inputs: { images: 'a/b' }
    },
    {
      name: 'repeated flag adds lines',
      argv: ['--tags', 'type=sha', '--tags=type=ref,event=branch'],
      inputs: { tags: 'type=sha\ntype=ref,event=branch' }
    },
    {
      name: 'boolean then another flag',
      argv: ['--dry-run', '--images', 'x'],
      inputs: { 'dry-run': 'true', images: 'x' }
    }
  ])('$name', ({ argv, inputs }) => {
    expect(Object.fromEntries(parseCliArgs(argv).inputs)).toEqual(inputs)
  })

  it.each([
    {
      name: 'unknown flag',
      argv: ['--tagz', 'x'],
      error: /unknown argument "--tagz"/
    },
    { name: 'positional', argv: ['build'], error: /unknown argument "build"/ },
    {
      name: 'value missing',
      argv: ['--images'],
      error: /--images needs a value/
    }
  ])('rejects $name', ({ argv, error }) => {
    expect(() => parseCliArgs(argv)).toThrow(error)
  })
})

describe('passwords on the CLI', () => {
  it('reads the password from stdin when asked', () => {
    expect(parseCliArgs(['--password-stdin']).passwordStdin).toBe(true)
  })

  it.each([
    { name: 'as a separate value', argv: ['--password', 'hunter2'] },
    { name: 'after =', argv: ['--password=hunter2'] }
  ])('refuses a password $name', ({ argv }) => {
    expect(() => parseCliArgs(argv)).toThrow(
      /never taken as a flag.*--password-stdin/
    )
  })
})

describe('secret inputs on the CLI (SECURITY.md: never in argv)', () => {
  it.each([
    {
      name: '--logins VALUE',
      argv: ['--logins', '- registry: x'],
      variable: 'DOCKER_PUBLISH_LOGINS'
    },
    {
      name: '--registry-auth=VALUE',
      argv: ['--registry-auth=- registry: x'],
      variable: 'DOCKER_PUBLISH_REGISTRY_AUTH'
    },
    {
      name: '--secrets VALUE',
      argv: ['--secrets', 'NPM_TOKEN=abc'],
      variable: 'DOCKER_PUBLISH_SECRETS'
    },
    {
      name: '--signing-key VALUE',
      argv: ['--signing-key', '-----BEGIN PRIVATE KEY-----'],
      variable: 'DOCKER_PUBLISH_SIGNING_KEY'
    },
    {
      name: '--signing-password=VALUE',
      argv: ['--signing-password=hunter2'],
      variable: 'DOCKER_PUBLISH_SIGNING_PASSWORD'
    },
    {
      name: '--github-token VALUE',
      argv: ['--github-token', 'ghp_example'],
      variable: 'DOCKER_PUBLISH_GITHUB_TOKEN'
    }
  ])(
    'refuses $name, naming the variable and the file flag',
    ({ argv, variable }) => {
      const flag = argv[0].replace(/=.*/, '')
      expect(() => parseCliArgs(argv)).toThrow(
        `${flag} is never taken as a flag (ps would show its secrets): set ${variable} or give ${flag}-file PATH`
      )
    }
  )

  it('takes each from a file', () => {
    const args = parseCliArgs([
      '--logins-file',
      '/run/logins.yml',
      '--secrets-file=/run/secrets'
    ])
    expect([...args.secretFiles]).toEqual([
      ['logins', '/run/logins.yml'],
      ['secrets', '/run/secrets']
    ])
    expect([...args.inputs]).toEqual([])
  })
})
