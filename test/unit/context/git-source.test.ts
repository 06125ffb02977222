import { describe, expect, it } from '@jest/globals'
import {
  gitContextFromRunner,
  serverUrlOf
} from '../../../src/context/git-source.js'
import { loadEvent, SHAS, type EventName } from '../../fixtures/events.js'

const WEBAPP = 'https://github.com/acme/webapp.git'

describe('gitContextFromRunner: build-push-action default context', () => {
  it.each<{
    name: string
    event: EventName
    extra?: Record<string, string>
    url: string
  }>([
    {
      name: 'push to a branch: the commit',
      event: 'push-default-branch',
      url: `${WEBAPP}#${SHAS.main}`
    },
    {
      name: 'push of a tag: the commit',
      event: 'push-tag',
      url: `${WEBAPP}#${SHAS.release}`
    },
    {
      name: 'release: the commit',
      event: 'release',
      url: `${WEBAPP}#${SHAS.release}`
    },
    {
      name: 'pull_request: the merge commit',
      event: 'pull-request',
      url: `${WEBAPP}#${SHAS.prMerge}`
    },
    {
      name: "pull_request_target: the base branch's commit",
      event: 'pull-request-target',
      url: `${WEBAPP}#${SHAS.prBase}`
    },
    {
      name: 'pull_request with DOCKER_DEFAULT_GIT_CONTEXT_PR_HEAD_REF=true: the head commit',
      event: 'pull-request',
      extra: { DOCKER_DEFAULT_GIT_CONTEXT_PR_HEAD_REF: 'true' },
      url: `${WEBAPP}#${SHAS.prHead}`
    },
    {
      name: 'GitHub Enterprise Server: its own server URL',
      event: 'push-branch',
      extra: { GITHUB_SERVER_URL: 'https://ghe.example.com/' },
      url: `https://ghe.example.com/acme/webapp.git#${SHAS.branch}`
    },
    {
      name: 'another repository of the fixtures',
      event: 'push-tag-nonversion',
      url: `https://github.com/acme/deploy-tools.git#${SHAS.deploy}`
    },
    {
      name: 'no GITHUB_SHA: the full ref',
      event: 'push-branch',
      extra: { GITHUB_SHA: '' },
      url: `${WEBAPP}#refs/heads/tickets/DM-42`
    },
    {
      name: 'no GITHUB_SHA and a short ref: a branch ref',
      event: 'push-branch',
      extra: { GITHUB_SHA: '', GITHUB_REF: 'main' },
      url: `${WEBAPP}#refs/heads/main`
    }
  ])('$name', ({ event, extra, url }) => {
    const fixture = loadEvent(event)
    const context = gitContextFromRunner(
      { ...fixture.env, ...extra },
      fixture.payload
    )
    expect(context?.url).toBe(url)
  })

  it.each([
    { name: 'unset', repository: undefined },
    { name: 'not owner/name', repository: 'webapp' }
  ])('GITHUB_REPOSITORY $name: no Git context', ({ repository }) => {
    const env = {
      ...loadEvent('push-branch').env,
      GITHUB_REPOSITORY: repository
    }
    expect(gitContextFromRunner(env, {})).toBeUndefined()
  })

  it.each([
    { name: 'unset: github.com', value: undefined, url: 'https://github.com' },
    {
      name: 'trailing slash dropped',
      value: 'https://ghe.example.com/',
      url: 'https://ghe.example.com'
    },
    {
      name: 'with a port',
      value: 'http://127.0.0.1:5006',
      url: 'http://127.0.0.1:5006'
    }
  ])('serverUrlOf: $name', ({ value, url }) => {
    expect(serverUrlOf({ GITHUB_SERVER_URL: value })).toBe(url)
  })
})
