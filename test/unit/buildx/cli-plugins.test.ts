import { describe, expect, it } from '@jest/globals'
import { pluginDirs } from '../../../src/buildx/cli-plugins.js'

const SYSTEM = [
  '/usr/local/lib/docker/cli-plugins',
  '/usr/local/libexec/docker/cli-plugins',
  '/usr/lib/docker/cli-plugins',
  '/usr/libexec/docker/cli-plugins'
]

describe('pluginDirs: where docker looks for buildx, in its order', () => {
  it.each([
    {
      name: 'the config folder first, then the system folders',
      config: {},
      platform: 'linux' as const,
      expected: ['/home/u/.docker/cli-plugins', ...SYSTEM]
    },
    {
      name: 'macOS: the same folders',
      config: {},
      platform: 'darwin' as const,
      expected: ['/home/u/.docker/cli-plugins', ...SYSTEM]
    },
    {
      name: 'an empty cliPluginsExtraDirs changes nothing',
      config: { cliPluginsExtraDirs: [] },
      platform: 'linux' as const,
      expected: ['/home/u/.docker/cli-plugins', ...SYSTEM]
    },
    {
      name: 'extra folders in the config: docker decides (its versions order them differently)',
      config: { cliPluginsExtraDirs: ['/opt/plugins'] },
      platform: 'linux' as const,
      expected: undefined
    },
    {
      name: 'Windows: docker decides (its folders follow the environment)',
      config: {},
      platform: 'win32' as const,
      expected: undefined
    }
  ])('$name', ({ config, platform, expected }) => {
    expect(pluginDirs('/home/u/.docker', config, platform)).toEqual(expected)
  })
})
