import { describe, expect, it } from '@jest/globals'
import {
  helperFor,
  inlineCredentials,
  privateConfig,
  registryKey,
  serverAddress,
  withLogin,
  type DockerConfigFile
} from '../../../src/docker/config-file.js'
import { dockerCredentials } from '../../../src/docker/config.js'

const basic = (pair: string) => Buffer.from(pair).toString('base64')

describe('registryKey: names as docker compares them', () => {
  it.each([
    { name: 'Docker Hub, short', value: 'docker.io', expected: 'docker.io' },
    {
      name: 'index.docker.io',
      value: 'index.docker.io',
      expected: 'docker.io'
    },
    {
      name: 'registry-1.docker.io',
      value: 'registry-1.docker.io',
      expected: 'docker.io'
    },
    {
      name: "docker login's key for Docker Hub",
      value: 'https://index.docker.io/v1/',
      expected: 'docker.io'
    },
    {
      name: 'a scheme and a path are dropped',
      value: 'https://ghcr.io/v2/',
      expected: 'ghcr.io'
    },
    {
      name: 'a port stays',
      value: 'http://127.0.0.1:5001',
      expected: '127.0.0.1:5001'
    },
    { name: 'case is folded', value: 'GHCR.io', expected: 'ghcr.io' }
  ])('$name', ({ value, expected }) => {
    expect(registryKey(value)).toBe(expected)
  })

  it.each([
    {
      name: 'Docker Hub: its v1 address',
      value: 'docker.io',
      expected: 'https://index.docker.io/v1/'
    },
    { name: 'a host', value: 'ghcr.io', expected: 'ghcr.io' },
    {
      name: 'a host and port',
      value: '127.0.0.1:5001',
      expected: '127.0.0.1:5001'
    },
    {
      name: 'a URL: its host, as docker login keeps it',
      value: 'https://Reg.example.io/v2/',
      expected: 'Reg.example.io'
    }
  ])('serverAddress, $name', ({ value, expected }) => {
    expect(serverAddress(value)).toBe(expected)
  })
})

const CONFIG: DockerConfigFile = {
  auths: {
    'https://index.docker.io/v1/': { auth: basic('hubber:hub-pass') },
    '127.0.0.1:5001': { username: 'alice', password: 'a-pass' },
    'https://acr.example.io': { identitytoken: 'refresh-123' },
    'empty.example.io': {}
  },
  credsStore: 'desktop',
  credHelpers: { 'gcr.io': 'gcloud', 'https://ghcr.io': 'gh' }
}

describe('helperFor: the helper docker would run', () => {
  it.each([
    { name: 'credHelpers entry', registry: 'gcr.io', expected: 'gcloud' },
    {
      name: 'credHelpers key with a scheme',
      registry: 'ghcr.io',
      expected: 'gh'
    },
    { name: 'else credsStore', registry: 'quay.io', expected: 'desktop' },
    {
      name: 'no helper configured: the file',
      registry: 'quay.io',
      config: {},
      expected: ''
    },
    {
      name: 'an empty credHelpers entry means the file',
      registry: 'quay.io',
      config: { credsStore: 'desktop', credHelpers: { 'quay.io': '' } },
      expected: ''
    }
  ])('$name', ({ registry, config, expected }) => {
    expect(helperFor(config ?? CONFIG, registry)).toBe(expected)
  })
})

describe('inlineCredentials: what auths holds', () => {
  it.each([
    {
      name: 'auth (base64 user:password), Docker Hub by any name',
      registry: 'index.docker.io',
      expected: { username: 'hubber', password: 'hub-pass' }
    },
    {
      name: 'username and password fields',
      registry: '127.0.0.1:5001',
      expected: { username: 'alice', password: 'a-pass' }
    },
    {
      name: 'an identity token',
      registry: 'acr.example.io',
      expected: {
        username: '<token>',
        password: '',
        identityToken: 'refresh-123'
      }
    },
    {
      name: 'an empty entry',
      registry: 'empty.example.io',
      expected: undefined
    },
    { name: 'no entry', registry: 'quay.io', expected: undefined }
  ])('$name', ({ registry, expected }) => {
    expect(inlineCredentials(CONFIG, registry)).toEqual(expected)
  })
})

describe('dockerCredentials: helper first, then auths', () => {
  const asked: string[] = []
  const helper = (name: string, server: string) => {
    asked.push(`${name} ${server}`)
    return Promise.resolve(
      name === 'gcloud'
        ? { username: 'oauth2', password: 'gcp-token' }
        : undefined
    )
  }

  it.each([
    {
      name: 'the credHelpers helper answers',
      registry: 'gcr.io',
      expected: { username: 'oauth2', password: 'gcp-token' },
      asks: ['gcloud gcr.io']
    },
    {
      name: 'credsStore knows nothing: auths is used',
      registry: '127.0.0.1:5001',
      expected: { username: 'alice', password: 'a-pass' },
      asks: ['desktop 127.0.0.1:5001']
    },
    {
      name: 'Docker Hub: the helper is asked for the v1 address',
      registry: 'docker.io',
      expected: { username: 'hubber', password: 'hub-pass' },
      asks: ['desktop https://index.docker.io/v1/']
    }
  ])('$name', async ({ registry, expected, asks }) => {
    asked.length = 0
    expect(await dockerCredentials(CONFIG, registry, helper)).toEqual(expected)
    expect(asked).toEqual(asks)
  })
})

describe('privateConfig: our logins stay in the run’s own file', () => {
  it('keeps every setting and sends our registries to the file store', () => {
    const config = privateConfig(
      { ...CONFIG, currentContext: 'remote', experimental: 'enabled' },
      ['docker.io', '127.0.0.1:5001']
    )
    expect(config.credsStore).toBe('desktop')
    expect(config.currentContext).toBe('remote')
    expect(config.auths).toEqual(CONFIG.auths)
    expect(config.credHelpers).toEqual({
      'gcr.io': 'gcloud',
      'https://ghcr.io': 'gh',
      'https://index.docker.io/v1/': '',
      'docker.io': '',
      'index.docker.io': '',
      'registry-1.docker.io': '',
      '127.0.0.1:5001': ''
    })
    for (const registry of ['docker.io', '127.0.0.1:5001'])
      expect(helperFor(config, registry)).toBe('')
    expect(helperFor(config, 'quay.io')).toBe('desktop')
  })

  it('a registry given as a URL: also its host, the key docker looks up', () => {
    const config = privateConfig({}, ['https://reg.example.io/v2/'])
    expect(config.credHelpers).toEqual({
      'https://reg.example.io/v2/': '',
      'reg.example.io': ''
    })
  })
})

describe('withLogin: the config as docker login leaves it', () => {
  const USER: DockerConfigFile = {
    auths: { 'quay.io': { auth: basic('q:q-pass') } },
    credHelpers: { '127.0.0.1:5001': '' },
    currentContext: 'remote'
  }

  it.each<{
    name: string
    config: DockerConfigFile
    registry: string
    expected: DockerConfigFile['auths']
  }>([
    {
      name: 'a first login: auths is made',
      config: {},
      registry: '127.0.0.1:5001',
      expected: { '127.0.0.1:5001': { auth: basic('alice:pa:ss wörd') } }
    },
    {
      name: 'beside the entries there: each kept',
      config: USER,
      registry: 'ghcr.io',
      expected: {
        'quay.io': { auth: basic('q:q-pass') },
        'ghcr.io': { auth: basic('alice:pa:ss wörd') }
      }
    },
    {
      name: "Docker Hub by any name: under docker's v1 address",
      config: {},
      registry: 'registry-1.docker.io',
      expected: {
        'https://index.docker.io/v1/': { auth: basic('alice:pa:ss wörd') }
      }
    },
    {
      name: 'a URL: under its host, as docker login stores it',
      config: {},
      registry: 'http://127.0.0.1:5001/v2/',
      expected: { '127.0.0.1:5001': { auth: basic('alice:pa:ss wörd') } }
    },
    {
      name: 'an earlier entry of the registry: replaced whole',
      config: {
        auths: {
          'ghcr.io': { username: 'old', password: 'old', identitytoken: 't' }
        }
      },
      registry: 'ghcr.io',
      expected: { 'ghcr.io': { auth: basic('alice:pa:ss wörd') } }
    }
  ])('$name', ({ config, registry, expected }) => {
    const written = withLogin(config, registry, {
      username: 'alice',
      password: 'pa:ss wörd'
    })
    expect(written.auths).toEqual(expected)
    expect(inlineCredentials(written, registry)).toEqual({
      username: 'alice',
      password: 'pa:ss wörd'
    })
  })

  it('keeps every other setting, and leaves the given config as it was', () => {
    const before = JSON.stringify(USER)
    const written = withLogin(USER, 'ghcr.io', { username: 'a', password: 'p' })
    expect({ ...written, auths: undefined }).toEqual({
      ...USER,
      auths: undefined
    })
    expect(JSON.stringify(USER)).toBe(before)
  })
})
