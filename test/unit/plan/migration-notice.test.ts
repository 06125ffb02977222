import { describe, expect, it } from '@jest/globals'
import { parseSettings } from '../../../src/settings/settings.js'
import {
  describePublication,
  METADATA_ACTION_TAGS
} from '../../../src/plan/publication.js'
import { compute, gitTag, branch, pr2 } from '../tags/context-fixture.js'
import { NOW, RELEASE } from '../docker/run-fixture.js'

// A migrating metadata-action user with an empty `tags` got metadata-action's
// default rules (its tag.ts Transform); here an empty `tags` gives this
// action's own tags, so the run says so once, with the block that restores
// theirs.

async function notices(inputs: Record<string, string>): Promise<string[]> {
  const all: Record<string, string> = { images: 'ghcr.io/octo/app', ...inputs }
  const settings = await parseSettings(name => all[name] ?? '')
  return describePublication(settings, RELEASE, NOW).notices
}

const BLOCK = [
  'tags: |',
  '  type=schedule',
  '  type=ref,event=branch',
  '  type=ref,event=tag',
  '  type=ref,event=pr'
].join('\n')

describe("an empty tags beside metadata-action's own inputs", () => {
  it.each<{ name: string; inputs: Record<string, string>; told: boolean }>([
    { name: 'flavor', inputs: { flavor: 'latest=auto' }, told: true },
    { name: 'sep-tags', inputs: { 'sep-tags': ',' }, told: true },
    { name: 'sep-labels', inputs: { 'sep-labels': ' ' }, told: true },
    { name: 'bake-target', inputs: { 'bake-target': 'meta' }, told: true },
    { name: 'none of them: not a migration', inputs: {}, told: false },
    {
      name: 'flavor beside rules of its own: their tags are as given',
      inputs: { flavor: 'latest=false', tags: 'type=ref,event=branch' },
      told: false
    }
  ])('$name', async ({ inputs, told }) => {
    const said = await notices(inputs)
    expect(said.filter(n => n.includes(BLOCK))).toHaveLength(told ? 1 : 0)
  })

  it('says whose defaults apply, then the block', async () => {
    expect(await notices({ flavor: 'latest=auto' })).toEqual([
      "tags is empty, so this action's default tags apply (latest for the default branch; 1.2.3, 1.2 and 1 for v1.2.3), not metadata-action's (the branch's name; the git tag as written, and latest). To keep metadata-action's tags, set:\n" +
        BLOCK
    ])
  })
})

describe("the block gives metadata-action's default tags", () => {
  it.each([
    { name: 'push to the default branch', ctx: branch('main'), tags: ['main'] },
    {
      name: 'push to another branch',
      ctx: branch('feature/x'),
      tags: ['feature-x']
    },
    {
      name: 'git tag v1.2.3',
      ctx: gitTag('v1.2.3'),
      tags: ['v1.2.3', 'latest']
    },
    { name: 'pull request 2', ctx: pr2, tags: ['pr-2'] },
    {
      // a scheduled run's ref is the default branch: type=ref,event=branch
      // matches it there too (metadata-action's procRefBranch tests the ref)
      name: 'schedule',
      ctx: { eventName: 'schedule' },
      tags: ['nightly', 'master']
    }
  ])('$name', ({ ctx, tags }) => {
    expect(compute(ctx, METADATA_ACTION_TAGS).tags.map(t => t.name)).toEqual(
      tags
    )
  })
})
