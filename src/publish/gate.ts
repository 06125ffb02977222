/**
 * The gate input: a shell line run on the staged image, after it landed by digest and before any
 * tag moves. Exit 0 lets the tags move; anything else (or gate-timeout) fails the run untagged.
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

/** DPA_GATE_IMAGE and DPA_GATE_PLATFORMS: the staged image by digest, else the loaded image. */
async function gateImage(run: RunContext): Promise<Record<string, string>> {
  const { publication, values } = run
  const image = publication.images.find(i => values.digestOf(i.name) !== '')
  if (image === undefined)
    return { DPA_GATE_IMAGE: values.build.imageId, DPA_GATE_PLATFORMS: '' }
  const digest = values.digestOf(image.name)
  return {
    DPA_GATE_IMAGE: `${image.name}@${digest}`,
    DPA_GATE_PLATFORMS: await platformLines(run, image, digest)
  }
}

/** The gate's environment: the run's, less the action's inputs (a password among them). */
async function gateEnv(run: RunContext, image: Record<string, string>) {
  const { env, publication, settings } = run
  const registries = publication.images.map(i => i.registry)
  if (settings.source !== undefined)
    registries.push(settings.source.image.registry)
  const kept = Object.entries(env.vars).filter(
    ([name]) => !name.startsWith('INPUT_')
  )
  return {
    ...Object.fromEntries(kept),
    ...image,
    DOCKER_CONFIG: await createGateConfig(
      env.dockerConfig,
      join(env.tempDir, 'gate-config'),
      registries,
      async (helper, server) => {
        const found = await askCredentialHelper(helper, server, env.vars)
        if (found !== undefined)
          env.log.mask(found.identityToken ?? found.password)
        return found
      }
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
      const image = await gateImage(run)
      env.log.info(stepLine(step))
      env.log.info(`DPA_GATE_IMAGE=${image.DPA_GATE_IMAGE}`)
      const [file, ...args] = step.argv
      const ended = await runProcess(file, args, {
        env: await gateEnv(run, image),
        quiet: true,
        deadlineMs: timeoutMs
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
  if (verdict.why !== undefined)
    throw new Error(`gate ${verdict.why}: no tag moved`)
  env.log.info('The gate passed: the tags move')
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
