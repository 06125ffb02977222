/**
 * The handover through job outputs: a `mode: digest` leg writes its digests to a step output named
 * by its platform (`leg-linux-amd64`), the job forwards it under that name, and `mode: merge` takes
 * the JSON of `needs.<job>.outputs` as its `handover` input. No service is called, no tag is set.
 *
 * What each rule rests on (GitHub's docs on job outputs, and what users have seen):
 * - A matrix job has one set of outputs: a name set by several legs keeps the last leg's value
 *   (docs; github.community 128626), so each leg writes a name of its own.
 * - A leg that does not set a name leaves the other legs' value of it (observed: a job declaring
 *   `deploy-url-a`, `-b`, `-c`, each leg setting one, hands all three to `needs`, same thread).
 * - The runner drops an output that holds a secret (docs: "redacted on the runner and not sent"):
 *   the value names no image (a registry user kept as a secret is often in the name), only the
 *   platform and the digests, in the order of `images`.
 * - An output is at most 1 MB, 50 MB a run (docs): a leg's value is ~100 bytes an image.
 * - The outputs come from this run's jobs only (`needs`), so no run, commit or attempt is checked;
 *   re-running a leg overwrites its own name.
 */
import { InputError } from '../errors/input-error.js'
import { isSha256Digest } from '../reference/grammar.js'

/** The output a leg of `platform` writes, and the job forwards: `leg-linux-arm-v7`. */
export function legOutputName(platform: string): string {
  return `leg-${platform.replace(/[^A-Za-z0-9]+/g, '-')}`
}

/** A leg's record: its platform and each image's digest, in the order of `images`. */
interface LegOutput {
  platform: string
  digests: string[]
}

/** The outputs a leg sets: `handover` and its platform's name, one JSON value. */
export function legOutputs(
  platform: string,
  digests: string[]
): Record<string, string> {
  const value = JSON.stringify({ platform, digests } satisfies LegOutput)
  return { handover: value, [legOutputName(platform)]: value }
}

const ALLOWED =
  'the JSON of needs.<job>.outputs, whose leg-<platform> outputs the mode digest legs set'

function fail(why: string): never {
  throw new Error(`input "handover": ${why}`)
}

/** One output's leg record, or an error naming the output. */
function readLeg(name: string, value: string, imageCount: number): LegOutput {
  let parsed: unknown
  try {
    parsed = JSON.parse(value)
  } catch {
    // refused below
  }
  const leg = parsed as Partial<LegOutput> | null
  const digests = Array.isArray(leg?.digests) ? leg.digests : []
  if (typeof leg?.platform !== 'string' || digests.length === 0)
    fail(`output ${name} is not a leg's record: ${value.slice(0, 80)}`)
  if (legOutputName(leg.platform) !== name)
    fail(
      `output ${name} holds the ${leg.platform} leg's record, not its own platform's`
    )
  const wrong = digests.find(d => typeof d !== 'string' || !isSha256Digest(d))
  if (wrong !== undefined)
    fail(
      `the ${leg.platform} leg hands over ${JSON.stringify(wrong)}, no sha256 digest`
    )
  if (digests.length !== imageCount)
    fail(
      `the ${leg.platform} leg hands over ${digests.length} image(s) and images lists ` +
        `${imageCount}: run the legs and the merge with the same images`
    )
  return { platform: leg.platform, digests }
}

/**
 * mode merge's `handover`: each asked platform's digests (one per image), checked to be exactly one
 * leg's per platform, and no platform not asked; else an error naming the platform.
 */
export function parseHandover(
  text: string,
  platforms: string[],
  imageCount: number
): Map<string, string[]> {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new InputError('handover', text.slice(0, 80), ALLOWED)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new InputError('handover', text.slice(0, 80), ALLOWED)
  const legs = new Map<string, string[]>()
  for (const [name, value] of Object.entries(parsed)) {
    // other outputs of the job, and the names of platforms whose leg did not run, are left alone
    if (!name.startsWith('leg-') || typeof value !== 'string' || value === '')
      continue
    const leg = readLeg(name, value, imageCount)
    if (legs.has(leg.platform))
      fail(`two leg results for ${leg.platform}: one leg per platform`)
    if (!platforms.includes(leg.platform))
      fail(
        `the ${leg.platform} leg was not asked for (platforms: ${platforms.join(',')}): ` +
          'run the legs and the merge with the same platforms'
      )
    legs.set(leg.platform, leg.digests)
  }
  const missing = platforms.filter(platform => !legs.has(platform))
  if (missing.length > 0)
    fail(
      `no leg result for ${missing.join(', ')} (output ${missing.map(legOutputName).join(', ')}` +
        ' empty or absent): did its leg succeed, and does the job declare the output? ' +
        'Nothing was published'
    )
  return legs
}
