import { describe, expect, it } from '@jest/globals'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createGateConfig } from '../../../src/docker/config.js'
import type { Credentials } from '../../../src/settings/logins.js'

type Entry = { auth: string } | { registrytoken: string }

const auth = (pair: string) => ({ auth: Buffer.from(pair).toString('base64') })

/** The gate's config for `registries`, from a run config holding `runConfig`. */
async function gateConfig(
  runConfig: object,
  registries: string[],
  helper: Record<string, Credentials>,
  tokens: Record<string, string>
): Promise<{ auths?: Record<string, Entry> }> {
  const run = mkdtempSync(join(tmpdir(), 'dpa-gate-run-'))
  writeFileSync(join(run, 'config.json'), JSON.stringify(runConfig))
  const dir = await createGateConfig(
    run,
    join(mkdtempSync(join(tmpdir(), 'dpa-gate-')), 'gate-config'),
    registries,
    (_, server) => Promise.resolve(helper[server]),
    registry => Promise.resolve(tokens[registry])
  )
  return JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as {
    auths?: Record<string, Entry>
  }
}

describe("the gate's docker config: a pull token or the run's login for its registries, inline, nothing else", () => {
  it.each<{
    name: string
    runConfig: object
    registries: string[]
    helper: Record<string, Credentials>
    /** The pull tokens the registry client gets (a registry answering with a Bearer challenge). */
    tokens?: Record<string, string>
    auths: Record<string, Entry> | undefined
  }>([
    {
      name: "a login in auths (the run's, or the user's docker/login-action)",
      runConfig: { auths: { 'a.example': auth('u:p') } },
      registries: ['a.example'],
      helper: {},
      auths: { 'a.example': auth('u:p') }
    },
    {
      name: 'a registry the run does not publish to is left out',
      runConfig: {
        auths: { 'a.example': auth('u:p'), 'b.example': auth('v:q') }
      },
      registries: ['a.example'],
      helper: {},
      auths: { 'a.example': auth('u:p') }
    },
    {
      name: "a credential helper's login (ecr-login, a desktop store) is asked and written inline",
      runConfig: { credHelpers: { 'a.example': 'fake' } },
      registries: ['a.example'],
      helper: { 'a.example': { username: 'h', password: 'hp' } },
      auths: { 'a.example': auth('h:hp') }
    },
    {
      name: "a credsStore answers only for the run's registries",
      runConfig: { credsStore: 'fake' },
      registries: ['a.example'],
      helper: {
        'a.example': { username: 'h', password: 'hp' },
        'b.example': { username: 'x', password: 'xp' }
      },
      auths: { 'a.example': auth('h:hp') }
    },
    {
      name: 'a registry that gives tokens: its pull token in place of the login, a Basic one keeps its login',
      runConfig: {
        auths: { 'a.example': auth('u:p'), 't.example': auth('v:q') }
      },
      registries: ['a.example', 't.example'],
      helper: {},
      tokens: { 't.example': 'pull-token' },
      auths: {
        'a.example': auth('u:p'),
        't.example': { registrytoken: 'pull-token' }
      }
    },
    {
      name: "Docker Hub's pull token goes where docker looks its credentials up",
      runConfig: { auths: { 'https://index.docker.io/v1/': auth('u:p') } },
      registries: ['docker.io'],
      helper: {},
      tokens: { 'docker.io': 'pull-token' },
      auths: { 'https://index.docker.io/v1/': { registrytoken: 'pull-token' } }
    },
    {
      name: 'a registry with no credentials: no entry, and no token though it gives one',
      runConfig: {},
      registries: ['t.example'],
      helper: {},
      tokens: { 't.example': 'anonymous-token' },
      auths: undefined
    },
    {
      name: 'a registry with no credentials: no entry',
      runConfig: {},
      registries: ['a.example'],
      helper: {},
      auths: undefined
    }
  ])('$name', async ({ runConfig, registries, helper, tokens, auths }) => {
    const config = await gateConfig(runConfig, registries, helper, tokens ?? {})
    expect(config.auths).toEqual(auths)
    expect(Object.keys(config)).toEqual(auths === undefined ? [] : ['auths'])
  })
})
