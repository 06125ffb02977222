import { describe, expect, it } from '@jest/globals'
import { ecrRegistry } from '../../../src/settings/ecr-registry.js'

// The forms docker/login-action's src/aws.ts recognises (ecrRegistryRegex,
// ecrPublicRegistryRegex), and FIPS's, which the AWS docs list for ECR.
describe('ecrRegistry: the ECR registry a name is', () => {
  it.each([
    {
      name: 'private, commercial partition',
      registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
      ecr: { kind: 'private', account: '123456789012', region: 'eu-west-1' }
    },
    {
      name: 'private, China',
      registry: '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn',
      ecr: { kind: 'private', account: '123456789012', region: 'cn-north-1' }
    },
    {
      name: 'private, dual-stack on.aws',
      registry: '123456789012.dkr-ecr.us-east-2.on.aws',
      ecr: { kind: 'private', account: '123456789012', region: 'us-east-2' }
    },
    {
      name: 'private, EU sovereign cloud',
      registry: '123456789012.dkr.ecr.eusc-de-east-1.amazonaws.eu',
      ecr: {
        kind: 'private',
        account: '123456789012',
        region: 'eusc-de-east-1'
      }
    },
    {
      name: 'private, FIPS endpoint',
      registry: '123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com',
      ecr: { kind: 'private', account: '123456789012', region: 'us-gov-west-1' }
    },
    {
      name: 'private, as a URL with a path',
      registry: 'https://123456789012.dkr.ecr.eu-west-1.amazonaws.com/app',
      ecr: { kind: 'private', account: '123456789012', region: 'eu-west-1' }
    },
    {
      name: 'private, with a port (a local front)',
      registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com:5443',
      ecr: { kind: 'private', account: '123456789012', region: 'eu-west-1' }
    },
    {
      name: 'ECR Public',
      registry: 'public.ecr.aws',
      ecr: { kind: 'public' }
    },
    {
      name: 'ECR Public, dual-stack',
      registry: 'ecr-public.aws.com',
      ecr: { kind: 'public' }
    },
    { name: 'GHCR', registry: 'ghcr.io', ecr: undefined },
    {
      name: 'an account of 11 digits',
      registry: '12345678901.dkr.ecr.eu-west-1.amazonaws.com',
      ecr: undefined
    },
    {
      name: 'a look-alike under another domain',
      registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com.example.org',
      ecr: undefined
    }
  ])('$name', ({ registry, ecr }) => {
    expect(ecrRegistry(registry)).toEqual(ecr)
  })
})
