/**
 * The gate input: a shell line run on the staged image, after it landed by digest and before any
 * tag moves (mode gate: on each leg's digest, in a job of its own before the merge). Exit 0 lets
 * the tags move; anything else (or gate-timeout) fails the run untagged.
 */
import { join } from 'node:path'
import { createGateConfig } from '../docker/config.js'
import { askCredentialHelper } from '../docker/credential-helper.js'
import { runProcess } from '../docker/process.js'
import type { Image } from '../reference/images.js'
import type { CommandStep } from '../plan/steps.js'
import { stepLine } from '../plan/steps.js'
import type { RunContext } from './run-context.js'
import type { GateVerdict } from './outcome.js'

/** Lines of the gate's output the job summary shows. */
const SUMMARY_LINES = 10

interface JsonPlatform {
  os?: string
  architecture?: string
  variant?: string
}

interface IndexJson {
  manifests?: { digest: string; platform?: JsonPlatform }[]
  config?: { digest: string }
}

const platformName = (p: JsonPlatform | undefined): string =>
  [p?.os ?? 'unknown', p?.architecture ?? 'unknown', p?.variant]
    .filter(part => part !== undefined && part !== '')
    .join('/')

const json = <T>(body: Uint8Array | undefined): T =>
  JSON.parse(Buffer.from(body ?? new Uint8Array()).toString('utf8')) as T

/** `platform digest` a line: an index's platform manifests (not its attestations), or the one. */
async function platformLines(
  { env }: RunContext,
  image: Image,
  digest: string
): Promise<string> {
  const manifest = json<IndexJson>(
    (await env.registry.getManifest(image, digest))?.body
  )
  if (manifest.manifests !== undefined)
    return manifest.manifests
      .filter(m => platformName(m.platform) !== 'unknown/unknown')
      .map(m => `${platformName(m.platform)} ${m.digest}`)
      .join('\n')
  const config =
    manifest.config === undefined
      ? {}
      : json<JsonPlatform>(
          await env.registry.getBlob(image, manifest.config.digest)
        )
  return `${platformName(config)} ${digest}`
}

/** The image the gate reads: mode gate's leg, else the staged image's first. */
function gatedImage({ publication, values }: RunContext, step: CommandStep) {
  if (step.image !== undefined && step.gated !== undefined)
    return { image: step.image, digest: step.gated.digest }
  const image = publication.images.find(i => values.digestOf(i.name) !== '')
  return image && { image, digest: values.digestOf(image.name) }
}

/** DPA_GATE_IMAGE and DPA_GATE_PLATFORMS: the image by digest, else the loaded image. */
async function gateImage(
  run: RunContext,
  step: CommandStep
): Promise<Record<string, string>> {
  const gated = gatedImage(run, step)
  if (gated === undefined)
    return { DPA_GATE_IMAGE: run.values.build.imageId, DPA_GATE_PLATFORMS: '' }
  const { image, digest } = gated
  return {
    DPA_GATE_IMAGE: `${image.name}@${digest}`,
    DPA_GATE_PLATFORMS: await platformLines(run, image, digest)
  }
}

/**
 * What the runner gives a JavaScript action and not a `run:` step, kept from the gate: the
 * runtime's token and its services' URLs (actions/runner's NodeScriptActionHandler sets them,
 * ScriptHandler only ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN, which the gate keeps), with which
 * it could write GitHub's cache that the next release builds from; and the action's own inputs
 * (a password among them) and its post step's state.
 */
const FOR_ACTIONS_ONLY = {
  names: [
    'ACTIONS_RUNTIME_TOKEN',
    'ACTIONS_RUNTIME_URL',
    'ACTIONS_RESULTS_URL',
    'ACTIONS_CACHE_URL',
    'ACTIONS_CACHE_SERVICE_V2'
  ],
  prefixes: ['INPUT_', 'STATE_']
}

const forActionsOnly = (name: string): boolean =>
  FOR_ACTIONS_ONLY.names.includes(name) ||
  FOR_ACTIONS_ONLY.prefixes.some(prefix => name.startsWith(prefix))

/** The images the gate may read (the staged ones, promote's source), by registry. */
function gatedRepositories({ publication, settings }: RunContext) {
  const images = [...publication.images]
  if (settings.source !== undefined) images.push(settings.source.image)
  const byRegistry = new Map<string, Image[]>()
  for (const image of images)
    byRegistry.set(image.registry, [
      ...(byRegistry.get(image.registry) ?? []),
      image
    ])
  return byRegistry
}

/**
 * The gate's environment: what a `run:` step of the job gets (the run's, less FOR_ACTIONS_ONLY),
 * and a docker config that reads the gated images' registries and no other.
 */
async function gateEnv(run: RunContext, image: Record<string, string>) {
  const { env } = run
  const repositories = gatedRepositories(run)
  const kept = Object.entries(env.vars).filter(
    ([name]) => !forActionsOnly(name)
  )
  const pullToken = async (registry: string) => {
    const token = await env.registry.pullToken(repositories.get(registry) ?? [])
    if (token !== undefined) env.log.mask(token)
    return token
  }
  return {
    ...Object.fromEntries(kept),
    ...image,
    DOCKER_CONFIG: await createGateConfig(
      env.dockerConfig,
      join(env.tempDir, 'gate-config'),
      [...repositories.keys()],
      async (helper, server) => {
        const found = await askCredentialHelper(helper, server, env.vars)
        if (found !== undefined)
          env.log.mask(found.identityToken ?? found.password)
        return found
      },
      pullToken
    )
  }
}

/** Runs the gate in a log group of its own; a failure throws, naming the gate and why. */
export async function runGate(
  run: RunContext,
  step: CommandStep
): Promise<void> {
  const { env, settings } = run
  const timeoutMs = settings.gateTimeout * 1000
  const verdict = await env.log.group(
    'Gate (no tag moves unless it passes)',
    async () => {
      const image = await gateImage(run, step)
      env.log.info(stepLine(step))
      env.log.info(`DPA_GATE_IMAGE=${image.DPA_GATE_IMAGE}`)
      const [file, ...args] = step.argv
      const ended = await runProcess(file, args, {
        env: await gateEnv(run, image),
        quiet: true,
        deadlineMs: timeoutMs,
        ownGroup: true
      })
      const output = `${ended.stdout}${ended.stderr}`
        .split('\n')
        .filter(l => l !== '')
      for (const line of output) env.log.info(line)
      return judged(
        ended.exitCode,
        ended.stalled !== undefined,
        output,
        settings.gateTimeout
      )
    }
  )
  env.result.gate = verdict
  const { failed, passed } = outcomes(settings.mode)
  const on =
    step.gated === undefined
      ? ''
      : ` on ${step.gated.platform} (${step.gated.image}@${step.gated.digest})`
  if (verdict.why !== undefined)
    throw new Error(`gate ${verdict.why}${on}: ${failed}`)
  env.log.info(`The gate passed${on}: ${passed}`)
}

/** What follows from the gate's verdict, by mode. */
function outcomes(mode: RunContext['settings']['mode']) {
  if (mode === 'gate')
    return {
      failed:
        'this job fails, so a merge that needs it does not run and no tag moves',
      passed: 'the merge may take it'
    }
  return { failed: 'no tag moved', passed: 'the tags move' }
}

function judged(
  exitCode: number,
  timedOut: boolean,
  output: string[],
  timeoutSeconds: number
): GateVerdict {
  const lines = output.slice(-SUMMARY_LINES)
  if (timedOut)
    return {
      verdict: 'failed',
      lines,
      why: `did not end within gate-timeout (${timeoutSeconds} s) and was stopped`
    }
  if (exitCode !== 0)
    return {
      verdict: 'failed',
      lines,
      why: `failed with exit status ${exitCode}`
    }
  return { verdict: 'passed', lines }
}
