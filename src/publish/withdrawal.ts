/**
 * mode rollback after the read-back: the release the tags left marked withdrawn (an OCI 1.1
 * referrer of its digest, docs/safety.md "Rollback"), and what moved from where to where, told in
 * a notice and the job summary.
 */
import type { Withdrawal } from '../reference/withdrawal.js'
import { notRunLine, stepLine, type RequestStep } from '../plan/steps.js'
import { attachWithdrawal } from '../registry/referrers.js'
import type { Before } from './outcome.js'
import type { RunContext } from './run-context.js'

/** A digest with its version label, as a person reads it. */
const named = (digest: string, version: string) =>
  version === '' ? digest : `${digest} (${version})`

/** Where each of an image's tags that this run moved was before ('' for a new tag). */
function movesOf(image: string, run: RunContext): Before[] {
  const { pushed, before = [] } = run.env.result
  return pushed
    .filter(p => p.ref.startsWith(`${image}:`))
    .map(
      p =>
        before.find(b => b.ref === p.ref) ?? { ...p, digest: '', version: '' }
    )
}

/** The lines of one image: each tag moved back, or already there. */
function moveLines(step: RequestStep, run: RunContext, moves: Before[]) {
  const { image } = step
  const to = named(run.values.digestOf(image.name), run.publication.version)
  const moved = moves.map(m =>
    m.digest === ''
      ? `${m.ref} set to ${to}`
      : `${m.ref} moved back from ${named(m.digest, m.version)} to ${to}`
  )
  const skipped = new Set(run.env.result.skipped.map(s => s.ref))
  const there = run.publication.tags
    .map(tag => `${image.name}:${tag.name}`)
    .filter(ref => !skipped.has(ref) && !moves.some(m => m.ref === ref))
    .map(ref => `${ref} already on ${to}: nothing to change`)
  return [...moved, ...there]
}

/** Marks the digests an image's tags left withdrawn; the lines that say so. */
async function withdrawImage(
  step: RequestStep,
  run: RunContext,
  withdrawal: Withdrawal
): Promise<string[]> {
  const { env, values } = run
  const { image } = step
  const moves = movesOf(image.name, run)
  const to = values.digestOf(image.name)
  const left = new Map(
    moves
      .filter(m => m.digest !== '' && m.digest !== to)
      .map(m => [m.digest, m])
  )
  const lines = moveLines(step, run, moves)
  if (left.size === 0) {
    env.log.info(notRunLine(step, 'not needed: no tag moved off a release'))
    return lines
  }
  env.log.info(stepLine(step))
  for (const { digest, version } of left.values()) {
    const mark = await attachWithdrawal(env.registry, image, digest, withdrawal)
    const where =
      mark.scheme === 'api'
        ? 'referrers API'
        : `referrers tag ${mark.tag ?? ''}`
    env.log.info(
      `  ${image.name}@${mark.digest} -> ${digest}: ${where}` +
        (mark.written ? '' : ' (already there)')
    )
    lines.push(
      `${image.name}@${named(digest, version)} marked withdrawn: ${withdrawal.reason}`
    )
  }
  return lines
}

/**
 * Runs the withdraw steps among the supply-chain steps (mode rollback); returns the others, in
 * order.
 */
export async function withdrawLeft(
  steps: RequestStep[],
  run: RunContext
): Promise<RequestStep[]> {
  const ours = steps.filter(step => step.step === 'withdraw')
  const rest = steps.filter(step => step.step !== 'withdraw')
  if (ours.length === 0) return rest
  const { env, settings, publication } = run
  const withdrawal: Withdrawal = {
    reason: settings.reason,
    actor: env.vars.GITHUB_ACTOR ?? '',
    run: publication.workflowRun?.url ?? '',
    time: env.clock().toISOString()
  }
  const lines = await env.log.group(
    'Withdraw the release the tags left',
    async () => {
      const all: string[] = []
      for (const step of ours)
        all.push(...(await withdrawImage(step, run, withdrawal)))
      return all
    }
  )
  const held = env.result.skipped.map(s => `${s.ref} stayed: ${s.reason}`)
  env.result.rollback = [...lines, ...held]
  env.log.notice(
    `Rollback to ${publication.version} (${settings.reason}):\n` +
      env.result.rollback.join('\n')
  )
  return rest
}
