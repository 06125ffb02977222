/**
 * docker/metadata-action + docker/login-action + docker/build-push-action,
 * run from their own bundles the way the runner runs them (main steps in
 * order, then the post steps in reverse), for part 8's "the trio's recipe"
 * rows. Their code is not in this repository: BENCH_TRIO_DIR names a folder
 * holding metadata-action/, login-action/ and build-push-action/, each with
 * its dist/index.cjs and action.yml (whose input defaults the runner passes);
 * without it those rows are left out. metadata-action asks GitHub's API for
 * the repository: a stand-in on loopback answers at once, so the trio's API
 * time in the field is not counted here.
 */
import { existsSync, readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join, relative } from 'node:path'
import { parse } from 'yaml'
import { inputEnv, ROOT, runStep, stateEnv } from '../../test/e2e/runner.js'

const ACTIONS = ['metadata-action', 'login-action', 'build-push-action']

/** The inputs' defaults in an action's action.yml, which the runner passes as INPUT_* (the token's expression as a token). */
function inputDefaults(dir: string, action: string): Record<string, string> {
  const yml = parse(readFileSync(join(dir, action, 'action.yml'), 'utf8')) as {
    inputs?: Record<string, { default?: string }>
  }
  return Object.fromEntries(
    Object.entries(yml.inputs ?? {}).flatMap(([name, input]) =>
      input.default === undefined
        ? []
        : [[name, input.default.replace('${{ github.token }}', 'bench')]]
    )
  )
}

/** The folder of the three bundles, or undefined when BENCH_TRIO_DIR is unset or lacks one. */
export function trioDir(): string | undefined {
  const dir = process.env.BENCH_TRIO_DIR
  if (dir === undefined || dir === '') return undefined
  const files = ACTIONS.flatMap(action => [
    `${action}/dist/index.cjs`,
    `${action}/action.yml`
  ])
  const missing = files.filter(file => !existsSync(join(dir, file)))
  if (missing.length > 0)
    throw new Error(`BENCH_TRIO_DIR=${dir} lacks ${missing.join(', ')}`)
  return dir
}

/** GitHub's API as metadata-action reads it: the repository, a commit. */
export async function startApiStandIn(): Promise<{
  url: string
  server: Server
}> {
  const server = createServer((request, response) => {
    const [, , owner, repo, what] = (request.url ?? '').split(/[/?]/)
    response.setHeader('content-type', 'application/json')
    const repository = {
      name: repo,
      full_name: `${owner}/${repo}`,
      private: false,
      html_url: `https://github.com/${owner}/${repo}`,
      description: 'bench app',
      default_branch: 'main',
      license: { spdx_id: 'MIT' },
      topics: []
    }
    const commit = { commit: { committer: { date: new Date().toISOString() } } }
    response.end(JSON.stringify(what === 'commits' ? commit : repository))
  })
  await new Promise<void>(ready => server.listen(0, '127.0.0.1', ready))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, server }
}

export interface TrioInputs {
  image: string
  tag: string
  registry: { host: string; username: string; password: string }
  build: Record<string, string>
}

/** One job of the three steps; throws if one fails; build-push-action's output. */
export async function runTrio(
  dir: string,
  apiUrl: string,
  inputs: TrioInputs,
  env: Record<string, string>
): Promise<string> {
  const entry = (action: string) =>
    relative(ROOT, join(dir, action, 'dist/index.cjs'))
  const base = { ...env, GITHUB_API_URL: apiUrl }
  const step = async (action: string, stepEnv: Record<string, string>) => {
    const defaults = inputEnv(inputDefaults(dir, action))
    const result = await runStep(entry(action), {
      ...base,
      ...defaults,
      ...stepEnv
    })
    if (result.code !== 0)
      throw new Error(
        `${action} exited ${result.code}:\n${(result.stdout + result.stderr).split('\n').slice(-15).join('\n')}`
      )
    return result
  }
  const { host, username, password } = inputs.registry
  const metadata = await step(
    'metadata-action',
    inputEnv({
      images: inputs.image,
      tags: `type=raw,value=${inputs.tag}`
    })
  )
  const login = await step(
    'login-action',
    inputEnv({ registry: host, username, password, logout: 'true' })
  )
  const build = await step(
    'build-push-action',
    inputEnv({
      tags: metadata.outputs.tags ?? '',
      labels: metadata.outputs.labels ?? '',
      push: 'true',
      ...inputs.build
    })
  )
  await step('build-push-action', stateEnv(build))
  await step('login-action', stateEnv(login))
  return build.stdout
}
