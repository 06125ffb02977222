/**
 * Both services at one results origin (test/support/results-service/runner-services.ts),
 * as a job on a runner has them: one token, one ACTIONS_RESULTS_URL, the real
 * @actions/artifact and @actions/cache clients side by side.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { DefaultArtifactClient } from '@actions/artifact'
import { restoreCache, saveCache } from '@actions/cache'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startRunnerServices } from '../../../support/results-service/runner-services.js'

const saved = { ...process.env }
let workspace = ''

beforeAll(() => {
  workspace = mkdtempSync(join(tmpdir(), 'dpa-results-'))
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
})
afterAll(() => {
  jest.restoreAllMocks()
  process.env = { ...saved }
  rmSync(workspace, { recursive: true, force: true })
})

describe('the artifact service and the cache service at one origin', () => {
  it('a job uploads an artifact and saves a cache; a later job reads both back', async () => {
    const services = await startRunnerServices()
    const job = () => {
      process.env = {
        ...saved,
        ...services.env('run-1', `job-${Math.random()}`),
        ACTIONS_CACHE_SERVICE_V2: 'true',
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_WORKSPACE: workspace,
        RUNNER_TEMP: workspace
      }
    }
    const file = join(workspace, 'record.json')
    try {
      job()
      writeFileSync(file, '{"digest":"sha256:1"}')
      const artifacts = new DefaultArtifactClient()
      const { id } = await artifacts.uploadArtifact('leg', [file], workspace)
      expect(await saveCache([file], 'record-1')).toBeGreaterThan(0)

      job()
      rmSync(file)
      expect(await restoreCache([file], 'record-1')).toBe('record-1')
      expect(readFileSync(file, 'utf8')).toBe('{"digest":"sha256:1"}')
      const into = join(workspace, 'download')
      await artifacts.downloadArtifact(id ?? 0, { path: into })
      expect(readFileSync(join(into, 'record.json'), 'utf8')).toBe(
        '{"digest":"sha256:1"}'
      )

      expect(services.artifacts('run-1').map(a => a.name)).toEqual(['leg'])
      expect(services.entries('refs/heads/main').map(e => e.key)).toEqual([
        'record-1'
      ])
      expect(services.requests).toEqual([
        'POST CreateArtifact',
        'PUT blob comp=block',
        'PUT blob comp=blocklist',
        'POST FinalizeArtifact',
        'POST CreateCacheEntry',
        'PUT cache blob',
        'POST FinalizeCacheEntryUpload',
        'POST GetCacheEntryDownloadURL',
        'GET cache blob',
        'POST ListArtifacts',
        'POST GetSignedArtifactURL',
        'GET blob'
      ])
    } finally {
      await services.close()
    }
  })
})
