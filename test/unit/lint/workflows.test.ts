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
  // its header documents fails the caller's run where it grants less; the job that runs the
  // caller's gate asks for less still (read-only), so it gets no id-token and cannot push
  const LEAST = { contents: 'read', packages: 'write' }
  const READ_ONLY = { contents: 'read', packages: 'read' }
  it.each(workflows.filter(w => called(w.workflow)))(
    '$name (workflow_call): no job asks for more than contents: read, packages: write',
    ({ workflow }) => {
      expect(workflow.permissions).toBeUndefined()
      const asked = Object.values(workflow.jobs).flatMap(job =>
        Object.entries(job.permissions ?? {})
      )
      const within = ([name, level]: [string, string]) =>
        [LEAST, READ_ONLY].some(
          least => least[name as keyof typeof least] === level
        )
      expect(asked.filter(entry => !within(entry))).toEqual([])
    }
  )

  const publish = workflows.find(w => w.name === 'publish.yml')?.workflow
  const publishJobs = Object.entries(publish?.jobs ?? {})

  it('publish.yml: the gate runs in the gate job alone, whose permissions are read-only (contents: read, packages: read)', () => {
    const gated = publishJobs.filter(([, job]) =>
      JSON.stringify(job.steps ?? []).includes('inputs.gate')
    )
    expect(gated.map(([id]) => id)).toEqual(['gate'])
    expect(gated[0][1].permissions).toEqual(READ_ONLY)
  })

  it('publish.yml: the gate job is given no secret but GATE_LOGINS (no push password, no BUILD_SECRETS, no COSIGN_KEY)', () => {
    const gate = JSON.stringify(publish?.jobs.gate)
    const named = [...gate.matchAll(/secrets\.([A-Z_]+)/g)].map(m => m[1])
    expect([...new Set(named)]).toEqual(['GATE_LOGINS'])
  })

  it('publish.yml: the merge needs the legs and the gate, and runs only where the gate passed or was skipped', () => {
    const merge = publish?.jobs.merge as { needs?: string[]; if?: string }
    expect(merge.needs).toEqual(['legs', 'gate'])
    expect(merge.if).toContain("needs.gate.result == 'success'")
    expect(merge.if).toContain("needs.gate.result == 'skipped'")
  })

  it('release.yml: only the job that moves the major tag writes, and only contents', () => {
    const release = workflows.find(w => w.name === 'release.yml')?.workflow
    const writes = Object.entries(release?.jobs ?? {}).flatMap(([name, job]) =>
      job.permissions === undefined ? [] : [[name, job.permissions]]
    )
    expect(writes).toEqual([['move-major-tag', { contents: 'write' }]])
  })
})
