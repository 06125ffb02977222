import { describe, expect, it } from '@jest/globals'
import { parseSettings } from '../../../src/settings/settings.js'
import { settingsDebugLine } from '../../../src/settings/redact.js'
import { REDACTED } from '../../../src/settings/secret-lines.js'

const source = (inputs: Record<string, string | undefined>) => (name: string) =>
  inputs[name] ?? ''

const IMAGES = 'ghcr.io/o/app\nregistry.example.com/o/app'

describe('the debug line of the settings', () => {
  it.each([
    {
      name: 'password (with username)',
      inputs: { username: 'me', password: 'pw-Secret-1' },
      secrets: ['pw-Secret-1'],
      kept: ['"username":"me"', '"registry":"ghcr.io"', '"password":"***"']
    },
    {
      name: 'password with a space, a quote and a backslash',
      inputs: { username: 'me', password: 'p w"\\x' },
      secrets: ['p w', 'w\\"\\\\x'],
      kept: ['"username":"me"']
    },
    {
      name: 'logins',
      inputs: {
        logins:
          '- registry: ghcr.io\n  username: u1\n  password: lg-Secret-1\n' +
          '- registry: registry.example.com\n  username: u2\n  password: lg-Secret-2'
      },
      secrets: ['lg-Secret-1', 'lg-Secret-2'],
      kept: ['"username":"u1"', '"username":"u2"']
    },
    {
      name: 'registry-auth',
      inputs: {
        'registry-auth':
          '- registry: ghcr.io\n  username: u1\n  password: ra-Secret-1'
      },
      secrets: ['ra-Secret-1'],
      kept: ['"registry":"ghcr.io"']
    },
    {
      name: 'password and logins together',
      inputs: {
        username: 'me',
        password: 'pw-Secret-2',
        logins: '- registry: ghcr.io\n  username: u1\n  password: lg-Secret-3'
      },
      secrets: ['pw-Secret-2', 'lg-Secret-3'],
      kept: ['"username":"u1"']
    },
    {
      name: 'secrets (the ids stay)',
      inputs: {
        secrets: 'GIT_AUTH_TOKEN=sc-Secret-1\nNPM=sc-Secret-2 with=equals '
      },
      secrets: ['sc-Secret-1', 'sc-Secret-2'],
      kept: [`"GIT_AUTH_TOKEN=${REDACTED}"`, `"NPM=${REDACTED}"`]
    },
    {
      name: 'secret-files and secret-envs show paths and names',
      inputs: {
        'secret-files': 'cert=/tmp/cert.pem',
        'secret-envs': 'token=NPM_TOKEN'
      },
      secrets: [],
      kept: ['"cert=/tmp/cert.pem"', '"token=NPM_TOKEN"']
    },
    {
      name: "github-token (mode cleanup's GHCR token)",
      inputs: {
        mode: 'cleanup',
        cleanup: 'untagged',
        'github-token': 'ghs_Secret-1'
      },
      secrets: ['ghs_Secret-1'],
      kept: [`"githubToken":"${REDACTED}"`]
    }
  ])('$name', async ({ inputs, secrets, kept }) => {
    const settings = await parseSettings(source({ images: IMAGES, ...inputs }))
    const line = settingsDebugLine(settings)
    expect(line).toMatch(/^settings: \{/)
    for (const secret of secrets) expect(line).not.toContain(secret)
    for (const text of kept) expect(line).toContain(text)
  })

  it('redacts a copy: the settings keep their secrets', async () => {
    const settings = await parseSettings(
      source({ images: IMAGES, username: 'me', password: 'pw-Secret-3' })
    )
    settingsDebugLine(settings)
    expect(settings.logins.map(l => l.password)).toEqual([
      'pw-Secret-3',
      'pw-Secret-3'
    ])
  })
})
