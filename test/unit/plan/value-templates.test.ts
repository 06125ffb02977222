import { describe, expect, it } from '@jest/globals'
import { refContextFromRunner } from '../../../src/context/ref-context.js'
import type { RefContext } from '../../../src/context/context-types.js'
import { describePublication } from '../../../src/plan/publication.js'
import { parseSettings } from '../../../src/settings/settings.js'
import { loadEvent, SHAS, type EventName } from '../../fixtures/events.js'

// README "Templates in build-args, labels and annotations": the tag
// engine's {{…}} rendered in the values of those lines, the run's version
// and first tag among them; unknown ones and refused fork values fail
// naming the input and the line.

const NOW = new Date('2024-11-07T16:05:00.000Z')
const APP = 'ghcr.io/acme/webapp'

function ctxOf(name: EventName, overrides: Partial<RefContext> = {}) {
  const fixture = loadEvent(name)
  return {
    ...refContextFromRunner(fixture.env, fixture.payload, ''),
    ...overrides
  }
}

async function publish(
  inputs: Record<string, string>,
  ctx: RefContext = ctxOf('push-tag')
) {
  const all: Record<string, string> = { images: APP, ...inputs }
  const settings = await parseSettings(name => all[name] ?? '')
  return describePublication(settings, ctx, NOW)
}

/** pull_request 42 whose head ref (the author's choice) is `head`. */
const forkPr = (head: string) => ctxOf('pull-request', { prHeadRef: head })

describe('build-args templates', () => {
  it.each<{
    name: string
    line: string
    ctx?: RefContext
    tags?: string
    expected: string
  }>([
    {
      name: 'version on a release',
      line: 'VERSION={{version}}',
      expected: 'VERSION=1.2.3'
    },
    {
      name: 'version keeps a flavor prefix, as the version output does',
      line: 'VERSION={{version}}',
      tags: 'type=semver,pattern={{version}},prefix=v',
      expected: 'VERSION=v1.2.3'
    },
    {
      name: 'tags: the first line of the tags output',
      line: 'IMAGE={{tags}}',
      expected: `IMAGE=${APP}:1.2.3`
    },
    {
      name: 'sha: the short commit',
      line: 'REVISION={{sha}}',
      expected: `REVISION=${SHAS.release.slice(0, 7)}`
    },
    {
      name: 'branch on a branch push, unsanitized',
      line: 'BRANCH={{branch}}',
      ctx: ctxOf('push-branch'),
      expected: 'BRANCH=tickets/DM-42'
    },
    {
      name: 'branch on a pull request: its head branch',
      line: 'BRANCH={{branch}}',
      ctx: ctxOf('pull-request'),
      expected: 'BRANCH=feature/login'
    },
    {
      name: 'branch on a release is empty',
      line: 'BRANCH=[{{branch}}]',
      expected: 'BRANCH=[]'
    },
    {
      name: "date with the tag engine's format syntax",
      line: "BUILT={{date 'YYYYMMDD-HHmm'}}",
      expected: 'BUILT=20241107-1605'
    },
    {
      name: 'date in a time zone',
      line: "BUILT={{date 'YYYY-MM-DD HH:mm' tz='Asia/Tokyo'}}",
      expected: 'BUILT=2024-11-08 01:05'
    },
    {
      name: "commit_date: the payload's commit time",
      line: "COMMITTED={{commit_date 'YYYY-MM-DDTHH:mm'}}",
      expected: 'COMMITTED=2024-11-07T15:45'
    },
    {
      name: 'tag: the git tag as pushed',
      line: 'GIT_TAG={{tag}}',
      expected: 'GIT_TAG=v1.2.3'
    },
    {
      name: 'is_default_branch on a push to main',
      line: 'DEFAULT={{is_default_branch}}',
      ctx: ctxOf('push-default-branch'),
      expected: 'DEFAULT=true'
    },
    {
      name: 'base_ref on a pull request',
      line: 'BASE={{base_ref}}',
      ctx: ctxOf('pull-request'),
      expected: 'BASE=main'
    },
    {
      name: 'several in one value, text around them',
      line: 'ID=app-{{version}}+{{sha}}',
      expected: `ID=app-1.2.3+${SHAS.release.slice(0, 7)}`
    },
    {
      name: 'the key is left as written',
      line: 'V{{x}}',
      expected: 'V{{x}}'
    },
    {
      name: '\\{{ is a literal {{',
      line: 'FORMAT=\\{{.Name}} {{version}}',
      expected: 'FORMAT={{.Name}} 1.2.3'
    },
    {
      name: 'a value without braces is passed as given, further = kept',
      line: 'NODE_ENV=a=b',
      expected: 'NODE_ENV=a=b'
    },
    {
      name: 'version on a pull request is its pr- tag',
      line: 'VERSION={{version}}',
      ctx: ctxOf('pull-request'),
      expected: 'VERSION=pr-42'
    }
  ])('$name', async ({ line, ctx, tags, expected }) => {
    const publication = await publish(
      { 'build-args': line, ...(tags && { tags }) },
      ctx
    )
    expect(publication.buildArgs).toEqual([expected])
  })

  it('tags is empty when the run has no tag', async () => {
    const publication = await publish({
      'build-args': 'IMAGE=[{{tags}}]',
      tags: 'type=raw,value=x,enable=false'
    })
    expect(publication.buildArgs).toEqual(['IMAGE=[]'])
  })
})

describe('labels and annotations templates', () => {
  it('renders label values; the user line still wins over the OCI label', async () => {
    const publication = await publish({
      labels: [
        'com.acme.commit={{sha}}',
        'org.opencontainers.image.title=webapp {{version}}'
      ].join('\n')
    })
    expect(publication.labels).toMatchObject({
      'com.acme.commit': SHAS.release.slice(0, 7),
      'org.opencontainers.image.title': 'webapp 1.2.3'
    })
  })

  it('renders annotation values, level prefix kept', async () => {
    const publication = await publish({
      annotations: 'index:org.opencontainers.image.ref.name={{version}}'
    })
    expect(
      publication.annotations['index:org.opencontainers.image.ref.name']
    ).toBe('1.2.3')
  })
})

describe('unknown templates fail naming the input and the line', () => {
  it('names the input, the line and what is allowed', async () => {
    await expect(
      publish({ 'build-args': 'VERSION={{verison}}' })
    ).rejects.toThrow(
      /^input "build-args": invalid value "VERSION=\{\{verison\}\}": unknown expression \{\{verison\}\}; allowed: \{\{branch\}\}, .*\{\{version\}\}, \{\{tags\}\}, \{\{date 'format' tz='Zone'\}\}.*; write \\\{\{ for a literal \{\{$/
    )
  })

  it.each([
    {
      name: 'a label',
      input: 'labels',
      line: 'com.acme.v={{major}}',
      error:
        /input "labels": invalid value "com.acme.v=\{\{major\}\}": unknown expression/
    },
    {
      name: 'an annotation',
      input: 'annotations',
      line: 'com.acme.v={{ version.major }}',
      error: /input "annotations": invalid value .*unknown expression/
    },
    {
      name: 'an unclosed {{',
      input: 'build-args',
      line: 'TEMPLATE={{.Name',
      error:
        /input "build-args": invalid value "TEMPLATE=\{\{.Name": "\{\{" without a closing "\}\}".*write \\\{\{ for a literal/
    },
    {
      name: 'a date without a format',
      input: 'build-args',
      line: 'BUILT={{date}}',
      error: /input "build-args".*needs a quoted format/
    }
  ])('$name', async ({ input, line, error }) => {
    await expect(publish({ [input]: line })).rejects.toThrow(error)
  })
})

// SECURITY.md: {{branch}} and {{base_ref}} are the pull request author's
// choice on its events; refused where the run trusts the value.
describe('fork values', () => {
  it.each<{ name: string; input: string; line: string; ctx: RefContext }>([
    {
      name: 'a label of the revision the re-run check reads',
      input: 'labels',
      line: 'org.opencontainers.image.revision={{branch}}',
      ctx: forkPr('feature/login')
    },
    {
      name: 'the source label',
      input: 'labels',
      line: 'org.opencontainers.image.source=https://x/{{base_ref}}',
      ctx: forkPr('feature/login')
    },
    {
      name: 'the version label',
      input: 'labels',
      line: 'org.opencontainers.image.version={{branch}}',
      ctx: forkPr('1.2.3')
    },
    {
      name: "the pull request label, whatever a labels line says, is the run's",
      input: 'labels',
      line: 'dev.docker-publish-action.pull-request={{branch}}',
      ctx: forkPr('7')
    },
    {
      name: 'the version annotation at the index level',
      input: 'annotations',
      line: 'index:org.opencontainers.image.version={{branch}}',
      ctx: forkPr('1.2.3')
    }
  ])('refuses $name', async ({ input, line, ctx }) => {
    await expect(publish({ [input]: line }, ctx)).rejects.toThrow(
      `input "${input}": invalid value ${JSON.stringify(line)}: on this pull_request event {{`
    )
  })

  it.each([
    { name: 'a line break', head: 'a\nb=c' },
    { name: 'a carriage return', head: 'a\rb' },
    { name: 'a tab', head: 'a\tb' }
  ])('refuses a head ref with $name in any input', async ({ head }) => {
    for (const input of ['build-args', 'labels', 'annotations'])
      await expect(
        publish({ [input]: 'BRANCH={{branch}}' }, forkPr(head))
      ).rejects.toThrow(
        `input "${input}": invalid value "BRANCH={{branch}}": on this pull_request event {{branch}} is the pull request author's choice, and it gives ${JSON.stringify(head)}, which holds a control character`
      )
  })

  it.each([
    { name: 'a head ref named main', head: 'main' },
    { name: "a head ref with a shell's $( ), passed as is", head: 'x$(id)' }
  ])('keeps $name as a build-arg', async ({ head }) => {
    const publication = await publish(
      { 'build-args': 'BRANCH={{branch}}' },
      forkPr(head)
    )
    expect(publication.buildArgs).toEqual([`BRANCH=${head}`])
  })

  it('keeps a head ref named 1.2.3 as a label of its own', async () => {
    const publication = await publish(
      { labels: 'com.acme.branch={{branch}}' },
      forkPr('1.2.3')
    )
    expect(publication.labels['com.acme.branch']).toBe('1.2.3')
  })

  it('a push run may set the version label from its branch', async () => {
    const publication = await publish(
      { labels: 'org.opencontainers.image.version={{branch}}' },
      ctxOf('push-branch')
    )
    expect(publication.labels['org.opencontainers.image.version']).toBe(
      'tickets/DM-42'
    )
  })

  it("the version label from {{version}} on a pull request is the tag rules' own", async () => {
    const publication = await publish(
      { labels: 'org.opencontainers.image.version={{version}}' },
      forkPr('feature/login')
    )
    expect(publication.labels['org.opencontainers.image.version']).toBe('pr-42')
  })
})

describe('secrets are not templates', () => {
  it('a secret value holding {{…}} is neither read as one nor refused', async () => {
    const publication = await publish({ secrets: 'token=a{{b}}c' })
    expect(JSON.stringify(publication)).not.toContain('a{{b}}c')
    expect(publication.buildArgs).toEqual([])
  })
})
