import { describe, expect, it } from '@jest/globals'
import { parseSettings } from '../../../src/settings/settings.js'

const source = (inputs: Record<string, string | undefined>) => (name: string) =>
  inputs[name] ?? ''

describe('parseSettings', () => {
  it('fills the documented defaults', async () => {
    const settings = await parseSettings(source({ images: 'ghcr.io/o/app' }))
    expect(settings).toMatchObject({
      mode: 'build',
      dryRun: false,
      tags: [],
      floatingGuard: true,
      immutableTags: 'error',
      retries: 3,
      build: {
        context: '.',
        push: true,
        load: false,
        provenance: undefined,
        sbom: undefined,
        platforms: []
      }
    })
  })

  it.each([
    {
      name: 'platform list on one line',
      inputs: { platforms: 'linux/amd64, linux/arm64' },
      path: ['build', 'platforms'],
      value: ['linux/amd64', 'linux/arm64']
    },
    {
      name: 'platform lines with variant',
      inputs: { platforms: 'linux/amd64\nlinux/arm/v7' },
      path: ['build', 'platforms'],
      value: ['linux/amd64', 'linux/arm/v7']
    },
    {
      name: 'tags keep their lines, comments dropped',
      inputs: { tags: 'type=ref,event=branch\n# note\n\ntype=sha' },
      path: ['tags'],
      value: ['type=ref,event=branch', 'type=sha']
    },
    {
      name: 'a # inside a value is kept, as metadata-action v6 keeps it (only a line starting with # is a comment)',
      inputs: {
        tags: '  # a comment\ntype=raw,value=v1#2'
      },
      path: ['tags'],
      value: ['type=raw,value=v1#2']
    },
    {
      name: 'labels keep a # in their value',
      inputs: { labels: 'org.example.channel=#releases' },
      path: ['labels'],
      value: ['org.example.channel=#releases']
    },
    {
      name: 'provenance attributes',
      inputs: { provenance: 'mode=max' },
      path: ['build', 'provenance'],
      value: 'mode=max'
    },
    {
      name: 'boolean in capitals',
      inputs: { 'dry-run': 'TRUE' },
      path: ['dryRun'],
      value: true
    },
    { name: 'retries', inputs: { retries: '0' }, path: ['retries'], value: 0 },
    {
      name: 'separators default to a newline',
      inputs: {},
      path: ['separators'],
      value: { tags: '\n', labels: '\n', annotations: '\n' }
    },
    {
      name: 'separators used as given, a space kept, no escapes read',
      inputs: {
        'sep-tags': ' ',
        'sep-labels': ',',
        'sep-annotations': '\\n'
      },
      path: ['separators'],
      value: { tags: ' ', labels: ',', annotations: '\\n' }
    }
  ])('$name', async ({ inputs, path, value }) => {
    const settings = (await parseSettings(
      source({ images: 'a/b', ...inputs })
    )) as unknown as Record<string, unknown>
    const actual = path.reduce<unknown>(
      (obj, key) => (obj as Record<string, unknown>)[key],
      settings
    )
    expect(actual).toEqual(value)
  })

  it.each([
    {
      name: 'bad boolean',
      inputs: { push: 'yes' },
      error: /input "push": invalid value "yes": expected true or false/
    },
    {
      name: 'bad mode',
      inputs: { mode: 'deploy' },
      error:
        /input "mode": invalid value "deploy": expected one of build, promote, digest, merge, gate, rollback/
    },
    {
      name: 'promote without source',
      inputs: { mode: 'promote' },
      error: /input "source".*mode "promote" needs/
    },
    {
      name: 'bad platform',
      inputs: { platforms: 'linux/amd46' },
      error:
        /input "platforms": invalid value "linux\/amd46": expected os\/arch/
    },
    {
      name: 'platform without arch',
      inputs: { platforms: 'linux' },
      error: /input "platforms"/
    },
    {
      name: 'bad immutable policy',
      inputs: { 'immutable-tags': 'never' },
      error: /input "immutable-tags".*error, skip, overwrite/
    },
    {
      name: 'registry timeout of zero',
      inputs: { 'registry-timeout': '0' },
      error:
        /input "registry-timeout": invalid value "0": expected a whole number from 1 to 600/
    },
    {
      name: 'retries not a number',
      inputs: { retries: 'many' },
      error: /input "retries": invalid value "many"/
    },
    {
      name: 'label without =',
      inputs: { labels: 'maintainer' },
      error: /input "labels": invalid value "maintainer": expected key=value/
    },
    {
      name: 'bad provenance',
      inputs: { provenance: 'maybe' },
      error: /input "provenance"/
    }
  ])('rejects $name', async ({ inputs, error }) => {
    await expect(
      parseSettings(source({ images: 'a/b', ...inputs }))
    ).rejects.toThrow(error)
  })

  it('needs an image when it pushes', async () => {
    await expect(parseSettings(source({}))).rejects.toThrow(
      /input "images".*at least one image/
    )
  })

  it('needs no image when it only builds', async () => {
    expect((await parseSettings(source({ push: 'false' }))).images).toEqual([])
  })
})

describe('context', () => {
  it.each([
    { name: 'metadata-action context: git', value: 'git' },
    { name: 'metadata-action context: workflow', value: 'workflow' }
  ])('$name is refused, saying what context means here', async ({ value }) => {
    const settings = parseSettings(source({ context: value, push: 'false' }))
    await expect(settings).rejects.toThrow(
      new RegExp(
        `input "context": invalid value "${value}": here "context" is the build context directory.*the ref always comes from the event`
      )
    )
  })

  it.each([
    { name: 'a directory', value: './app', expected: './app' },
    {
      name: 'a directory named git, written ./git',
      value: './git',
      expected: './git'
    }
  ])('$name is the build context', async ({ value, expected }) => {
    const settings = await parseSettings(
      source({ context: value, push: 'false' })
    )
    expect(settings.build.context).toBe(expected)
  })
})

describe('secret inputs', () => {
  const PEM = '-----BEGIN KEY-----\nMIIB\nabcd\n-----END KEY-----'

  it.each([
    {
      name: 'secrets: a quoted multi-line value is one secret',
      inputs: { secrets: `"SSH_KEY=${PEM}"\nNPM_TOKEN=abc` },
      path: 'secrets',
      value: [`SSH_KEY=${PEM}`, 'NPM_TOKEN=abc']
    },
    {
      name: 'secrets: a comma stays in the value',
      inputs: { secrets: 'LIST=a,b' },
      path: 'secrets',
      value: ['LIST=a,b']
    },
    {
      name: 'secret-files: id=path lines',
      inputs: { 'secret-files': 'GPG_KEY=./gpg.asc\nCERT=/tmp/c.pem' },
      path: 'secretFiles',
      value: ['GPG_KEY=./gpg.asc', 'CERT=/tmp/c.pem']
    },
    {
      name: 'secret-envs: id=VARIABLE, lines or commas',
      inputs: { 'secret-envs': 'A=A_VAR,B=B_VAR\nC=C_VAR' },
      path: 'secretEnvs',
      value: ['A=A_VAR', 'B=B_VAR', 'C=C_VAR']
    }
  ])('$name', async ({ inputs, path, value }) => {
    const settings = await parseSettings(source({ push: 'false', ...inputs }))
    expect(settings.build[path as 'secrets']).toEqual(value)
  })

  it.each([
    {
      name: 'a secrets line without id=',
      inputs: { secrets: 'just-a-token-value' },
      error: /input "secrets": invalid value "line 1": expected id=value/
    },
    {
      name: 'a secret-files line without id=',
      inputs: { 'secret-files': './gpg.asc' },
      error: /input "secret-files": invalid value "line 1": expected id=path/
    },
    {
      name: 'a secret-envs line naming no variable',
      inputs: { 'secret-envs': 'TOKEN=not a var' },
      error:
        /input "secret-envs": invalid value "TOKEN=not a var": expected id=VARIABLE lines naming an environment variable/
    },
    {
      name: 'an unclosed quote in secrets',
      inputs: { secrets: '"KEY=open' },
      error:
        /input "secrets": invalid value "\(an unclosed or misplaced quote\)"/
    }
  ])('refuses $name', async ({ inputs, error }) => {
    await expect(
      parseSettings(source({ push: 'false', ...inputs }))
    ).rejects.toThrow(error)
  })
})

describe('ECR logins', () => {
  const ECR = '123456789012.dkr.ecr.eu-west-1.amazonaws.com'
  it.each([
    {
      name: 'keys as username/password on an ECR registry (ecr: auto)',
      inputs: { images: `${ECR}/app`, username: 'AKID', password: 'secret' },
      logins: [
        { registry: ECR, username: 'AKID', password: 'secret', ecr: true }
      ]
    },
    {
      name: 'only registry: the AWS chain',
      inputs: { images: `${ECR}/app`, registry: ECR },
      logins: [{ registry: ECR, username: '', password: '', ecr: true }]
    },
    {
      name: 'only the images: the docker config, as before',
      inputs: { images: `${ECR}/app` },
      logins: []
    },
    {
      name: 'ecr: false, a token given as password',
      inputs: {
        images: `${ECR}/app`,
        username: 'AWS',
        password: 'token',
        ecr: 'false'
      },
      logins: [{ registry: ECR, username: 'AWS', password: 'token' }]
    },
    {
      name: 'ECR Public by registry',
      inputs: { images: 'public.ecr.aws/a/app', registry: 'public.ecr.aws' },
      logins: [
        { registry: 'public.ecr.aws', username: '', password: '', ecr: true }
      ]
    },
    {
      name: 'a logins entry without keys',
      inputs: { images: `${ECR}/app`, logins: `- registry: ${ECR}` },
      logins: [{ registry: ECR, username: '', password: '', ecr: true }]
    },
    {
      name: 'a logins entry with ecr: false is an ordinary login',
      inputs: {
        images: `${ECR}/app`,
        logins: `- registry: ${ECR}\n  username: AWS\n  password: t\n  ecr: false`
      },
      logins: [{ registry: ECR, username: 'AWS', password: 't' }]
    }
  ])('$name', async ({ inputs, logins }) => {
    const settings = await parseSettings(source(inputs))
    expect(settings.logins).toEqual(logins)
    expect(settings.emptyLogins).toEqual([])
  })

  it.each([
    {
      name: 'ecr: true on a registry that is not named as ECR',
      inputs: { images: 'ghcr.io/o/app', ecr: 'true', registry: 'ghcr.io' },
      error:
        /input "ecr": invalid value "true": ghcr.io is not an ECR registry name/
    },
    {
      name: 'ecr: a value that is not auto, true or false',
      inputs: { images: 'ghcr.io/o/app', ecr: 'yes' },
      error: /input "ecr": invalid value "yes": expected auto, true or false/
    },
    {
      name: 'a logins entry with a bad ecr',
      inputs: {
        images: 'ghcr.io/o/app',
        logins: '- registry: ghcr.io\n  username: a\n  password: b\n  ecr: on'
      },
      error: /input "logins": invalid value "on": expected auto, true or false/
    }
  ])('$name', async ({ inputs, error }) => {
    await expect(parseSettings(source(inputs))).rejects.toThrow(error)
  })
})

describe('logins', () => {
  const images = 'ghcr.io/o/app\n127.0.0.1:5001/o/app\nghcr.io/o/other'

  it('logs the pair in to every image registry once', async () => {
    const settings = await parseSettings(
      source({ images, username: 'u', password: 'p' })
    )
    expect(settings.logins).toEqual([
      { registry: 'ghcr.io', username: 'u', password: 'p' },
      { registry: '127.0.0.1:5001', username: 'u', password: 'p' }
    ])
  })

  // SECURITY.md: a promotion source (a workflow_dispatch input, perhaps)
  // must not collect the publishing credentials
  it.each([
    {
      name: 'promote from another host: the pair goes to the images only',
      inputs: { mode: 'promote', source: 'other.example/app:1' },
      registries: ['ghcr.io', '127.0.0.1:5001']
    },
    {
      name: 'promote from another host with its own logins entry',
      inputs: {
        mode: 'promote',
        source: 'other.example/app:1',
        logins: '- registry: other.example\n  username: r\n  password: t'
      },
      registries: ['ghcr.io', '127.0.0.1:5001', 'other.example']
    }
  ])('$name', async ({ inputs, registries }) => {
    const settings = await parseSettings(
      source({ images, username: 'u', password: 'p', ...inputs })
    )
    expect(settings.logins.map(l => l.registry)).toEqual(registries)
  })

  it('narrows the pair to the registry input', async () => {
    const settings = await parseSettings(
      source({ images, username: 'u', password: 'p', registry: 'ghcr.io' })
    )
    expect(settings.logins.map(l => l.registry)).toEqual(['ghcr.io'])
  })

  it('gives each registry its own credentials from logins, which win', async () => {
    const logins =
      '- registry: ghcr.io\n  username: bot\n  password: t1\n- registry: 127.0.0.1:5001\n  username: alice\n  password: t2\n'
    const settings = await parseSettings(
      source({ images, username: 'u', password: 'p', logins })
    )
    expect(settings.logins).toEqual([
      { registry: 'ghcr.io', username: 'bot', password: 't1' },
      { registry: '127.0.0.1:5001', username: 'alice', password: 't2' }
    ])
  })

  it("accepts login-action's registry-auth as the logins list", async () => {
    const registryAuth =
      '- registry: ghcr.io\n  username: bot\n  password: t1\n'
    const settings = await parseSettings(
      source({ images: 'ghcr.io/o/app', 'registry-auth': registryAuth })
    )
    expect(settings.logins).toEqual([
      { registry: 'ghcr.io', username: 'bot', password: 't1' }
    ])
  })

  it.each([
    {
      name: 'registry-auth and logins at once',
      inputs: {
        logins: '- registry: ghcr.io\n  username: a\n  password: p1',
        'registry-auth': '- registry: ghcr.io\n  username: b\n  password: p2'
      },
      error: /input "registry-auth".*give only one of registry-auth and logins/
    },
    {
      name: 'registry-auth entry without username names registry-auth',
      inputs: { 'registry-auth': '- registry: ghcr.io\n  password: p' },
      error:
        /input "registry-auth": invalid value "entry 1 \(registry ghcr.io\)": username missing/
    }
  ])('refuses $name', async ({ inputs, error }) => {
    await expect(
      parseSettings(source({ images: 'ghcr.io/o/app', ...inputs }))
    ).rejects.toThrow(error)
  })

  it.each([
    {
      name: 'the pair: one per registry, never a login',
      inputs: { username: 'me', password: '' },
      empty: [
        { registry: 'ghcr.io', username: 'me', input: 'password', value: '' },
        {
          registry: '127.0.0.1:5001',
          username: 'me',
          input: 'password',
          value: ''
        }
      ]
    },
    {
      name: 'a logins entry: named by its place',
      inputs: { logins: '- registry: ghcr.io\n  username: bot\n  password:' },
      empty: [
        {
          registry: 'ghcr.io',
          username: 'bot',
          input: 'logins',
          value: 'entry 1 (registry ghcr.io)'
        }
      ]
    }
  ])('sets an empty password apart: $name', async ({ inputs, empty }) => {
    const settings = await parseSettings(source({ images, ...inputs }))
    expect([settings.logins, settings.emptyLogins]).toEqual([[], empty])
  })

  it.each([
    { name: 'ecr: false', inputs: { ecr: 'false' } },
    { name: 'ecr: auto on a registry that is not ECR', inputs: { ecr: 'auto' } }
  ])("accepts login-action's $name (nothing to do)", async ({ inputs }) => {
    await expect(
      parseSettings(source({ images, ...inputs }))
    ).resolves.toBeDefined()
  })

  it.each([
    {
      name: 'password without username',
      inputs: { password: 'hunter2' },
      error: /input "username".*a password was given/
    },
    {
      name: 'not a list',
      inputs: { logins: 'registry: ghcr.io' },
      error: /input "logins".*not a list/
    },
    {
      name: 'not yaml',
      inputs: { logins: '- [' },
      error: /input "logins".*not valid YAML/
    }
  ])('rejects $name', async ({ inputs, error }) => {
    await expect(parseSettings(source({ images, ...inputs }))).rejects.toThrow(
      error
    )
  })

  it('never quotes a password in an error', async () => {
    const logins = '- username: bot\n  password: s3cr3t-value'
    await expect(parseSettings(source({ images, logins }))).rejects.toThrow(
      /^(?!.*s3cr3t-value).*registry missing/s
    )
  })
})

describe('qemu', () => {
  // setup-qemu-action's image, pinned by digest (SECURITY.md says where it is from)
  const IMAGE =
    'docker.io/tonistiigi/binfmt:latest@sha256:' +
    '400a4873b838d1b89194d982c45e5fb3cda4593fbfd7e08a02e76b03b21166f0'
  it.each([
    {
      name: "unset: auto, setup-qemu-action's image",
      value: undefined,
      qemu: IMAGE
    },
    { name: 'auto', value: 'auto', qemu: IMAGE },
    { name: 'true reads as auto', value: 'True', qemu: IMAGE },
    { name: 'false: never', value: 'false', qemu: '' },
    {
      name: 'a binfmt image of your own (a mirror, a pinned tag)',
      value: 'ghcr.io/acme/binfmt:qemu-v9.2.2',
      qemu: 'ghcr.io/acme/binfmt:qemu-v9.2.2'
    },
    {
      name: 'a tag and a digest, as the default',
      value: `ghcr.io/acme/binfmt:latest@sha256:${'a'.repeat(64)}`,
      qemu: `ghcr.io/acme/binfmt:latest@sha256:${'a'.repeat(64)}`
    }
  ])('$name', async ({ value, qemu }) => {
    const settings = await parseSettings(
      source({ images: 'ghcr.io/o/app', qemu: value })
    )
    expect(settings.build.qemu).toBe(qemu)
  })

  it.each([
    { name: 'upper case in a repository', value: 'Tonistiigi/Binfmt' },
    { name: 'not a reference', value: 'no please' },
    { name: 'a word for off that is not false', value: 'off:' }
  ])('$name fails naming the input', async ({ value }) => {
    await expect(
      parseSettings(source({ images: 'ghcr.io/o/app', qemu: value }))
    ).rejects.toThrow(
      /input "qemu": invalid value .*expected auto, false, or the tonistiigi\/binfmt image/
    )
  })
})

describe('buildkit-image', () => {
  it.each([
    {
      name: "unset: buildx's image, pinned by digest",
      value: undefined,
      image:
        'moby/buildkit:buildx-stable-1@sha256:' +
        '2f5adac4ecd194d9f8c10b7b5d7bceb5186853db1b26e5abd3a657af0b7e26ec'
    },
    {
      name: 'a mirror, a version tag',
      value: 'mirror.gcr.io/moby/buildkit:v0.25.2',
      image: 'mirror.gcr.io/moby/buildkit:v0.25.2'
    }
  ])('$name', async ({ value, image }) => {
    const settings = await parseSettings(
      source({ images: 'ghcr.io/o/app', 'buildkit-image': value })
    )
    expect(settings.build.buildkitImage).toBe(image)
  })

  it.each([
    { name: 'upper case in a repository', value: 'Moby/BuildKit' },
    {
      name: 'a driver-opt line, not an image',
      value: 'image=moby/buildkit,network=host'
    }
  ])('$name fails naming the input', async ({ value }) => {
    await expect(
      parseSettings(
        source({ images: 'ghcr.io/o/app', 'buildkit-image': value })
      )
    ).rejects.toThrow(
      /input "buildkit-image": invalid value .*expected the BuildKit image of the builder the step makes/
    )
  })
})
