import { readFileSync, readdirSync } from 'node:fs'
import { describe, expect, it } from '@jest/globals'
import { parse } from 'yaml'

// The repository's own workflows (STYLE.md's tooling): third-party actions
// pinned by commit SHA, and only read access unless a job says why it needs
// more (release.yml's major tag).

const DIR = new URL('../../../.github/workflows/', import.meta.url)

interface Workflow {
  on?: Record<string, unknown>
  permissions?: Record<string, string>
  jobs: Record<
    string,
    { permissions?: Record<string, string>; steps?: { uses?: string }[] }
  >
}

const workflows = readdirSync(DIR)
  .filter(name => name.endsWith('.yml'))
  .map(name => ({
    name,
    workflow: parse(readFileSync(new URL(name, DIR), 'utf8')) as Workflow
  }))

describe('.github/workflows', () => {
  it('has the release workflow beside CI', () => {
    expect(workflows.map(w => w.name).sort()).toEqual(
      expect.arrayContaining(['ci.yml', 'release.yml'])
    )
  })

  it.each(workflows)(
    '$name: every action of another repository is pinned by commit SHA',
    ({ workflow }) => {
      const uses = Object.values(workflow.jobs).flatMap(job =>
        (job.steps ?? []).flatMap(step => (step.uses ? [step.uses] : []))
      )
      // publish.yml runs this repository's own action at the major tag moved with it (a
      // `uses:` takes no expression: docs/modes.md#the-reusable-workflow)
      const unpinned = uses.filter(
        use =>
          !use.startsWith('./') &&
          !/@[0-9a-f]{40}$/.test(use) &&
          use !== 'acme/docker-publish-action@v1'
      )
      expect(unpinned).toEqual([])
    }
  )

  const called = (workflow: Workflow) => 'workflow_call' in (workflow.on ?? {})

  it.each(workflows.filter(w => !called(w.workflow)))(
    '$name: contents: read at the top (a job asks for more itself)',
    ({ workflow }) => {
      expect(workflow.permissions).toEqual({ contents: 'read' })
    }
  )

  // a called workflow's jobs get the caller's permissions: asking here for more than the least
  // its header documents fails the caller's run where it grants less; the jobs that run the
  // caller's gate declare that least, so they get no id-token whatever the caller grants
  const LEAST = { contents: 'read', packages: 'write' }
  it.each(workflows.filter(w => called(w.workflow)))(
    '$name (workflow_call): no job asks for more than contents: read, packages: write',
    ({ workflow }) => {
      expect(workflow.permissions).toBeUndefined()
      const asked = Object.values(workflow.jobs).flatMap(job =>
        Object.entries(job.permissions ?? {})
      )
      expect(
        asked.filter(
          ([name, level]) => LEAST[name as keyof typeof LEAST] !== level
        )
      ).toEqual([])
    }
  )

  it('publish.yml: the gate runs in the legs alone, which declare exactly contents: read, packages: write (no id-token)', () => {
    const publish = workflows.find(w => w.name === 'publish.yml')?.workflow
    const jobs = Object.entries(publish?.jobs ?? {})
    const gated = jobs.filter(([, job]) =>
      JSON.stringify(job.steps ?? []).includes('gate')
    )
    expect(gated.map(([id]) => id)).toEqual(['legs'])
    expect(gated[0][1].permissions).toEqual(LEAST)
  })

  it('release.yml: only the job that moves the major tag writes, and only contents', () => {
    const release = workflows.find(w => w.name === 'release.yml')?.workflow
    const writes = Object.entries(release?.jobs ?? {}).flatMap(([name, job]) =>
      job.permissions === undefined ? [] : [[name, job.permissions]]
    )
    expect(writes).toEqual([['move-major-tag', { contents: 'write' }]])
  })
})
