/**
 * `github-attestations`: GitHub's artifact attestations of what the step publishes, and where the
 * default turns them on (docs/security.md "GitHub artifact attestations").
 */
import { InputError } from '../errors/input-error.js'
import type { AttestationGround } from '../context/context-types.js'
import { parseChoice, type InputSource } from './parse.js'
import { isAttestType, type BuildSettings } from './build-settings.js'

export const ATTESTATIONS_INPUT = 'github-attestations'
const CHOICES = ['provenance', 'provenance,sbom', 'false'] as const

/** What the input asked for; `default` when it was left empty. */
export type AttestationsAsked = (typeof CHOICES)[number] | 'default'

export function parseGithubAttestations(
  source: InputSource
): AttestationsAsked {
  const asked = parseChoice(source, ATTESTATIONS_INPUT, CHOICES, 'false')
  return source(ATTESTATIONS_INPUT).trim() === '' ? 'default' : asked
}

/** Where a run's attestations go: the attestations API of its repository. */
export interface GithubAttestations {
  /** Named in the input: a signing failure fails the run (before any tag moves). */
  explicit: boolean
  /** GITHUB_API_URL; the API's path is /repos/{owner}/{repo}/attestations. */
  apiUrl: string
  /** GITHUB_SERVER_URL: an attestation's page is {server}/{owner}/{repo}/attestations/{id}. */
  serverUrl: string
  /** owner/name. */
  repository: string
  /** The owner is an organization: each image gets a storage record (artifact metadata). */
  organization: boolean
  /**
   * provenance,sbom: each platform manifest's SBOM, as BuildKit made it (in a merge, the legs'
   * builds), is attested too.
   */
  sbom: boolean
}

/**
 * The modes whose runs attest what they publish: merge attests each leg's digest too; promote
 * carries the source's and records the target (a storage record).
 */
const ATTESTING_MODES = ['build', 'merge', 'promote']
/** The modes that attest BuildKit's SBOMs: the build's own, or the legs' a merge lists. */
const SBOM_MODES = ['build', 'merge']

/** What a run of this mode would attest, or why it attests nothing. */
interface Where {
  mode: string
  /** The run publishes an image it built (push, no outputs or call). */
  publishes: boolean
  repository: string
  /** The runner's; undefined in the CLI. */
  ground: AttestationGround | undefined
}

/**
 * On only where every condition holds; where the default turned it off, one line why: a notice
 * where the job has an ID token (given for signing, it may expect attestations), else a log line
 * (`remark`), as every run of a job that never asked would otherwise carry the same annotation.
 */
export interface AttestationsDecision {
  attestations?: GithubAttestations
  notice?: string
  remark?: string
}

const ID_TOKEN =
  'GitHub artifact attestations are signed with the job\'s ID token: give the job "permissions: ' +
  'id-token: write" (and attestations: write)'

/** Why the default leaves attestations off here ('' when it turns them on). */
function offBecause(ground: AttestationGround): string {
  if (!ground.idToken)
    return (
      'the job has no ID token (ACTIONS_ID_TOKEN_REQUEST_URL is not set; "permissions: ' +
      'id-token: write" gives it one)'
    )
  if (ground.visibility !== 'public')
    return `the repository is ${ground.visibility}, not public`
  if (new URL(ground.serverUrl).hostname !== 'github.com')
    return `${ground.serverUrl} is not github.com (GitHub Enterprise Server keeps no attestations)`
  return ''
}

/** An explicit ask this run cannot meet: refused before anything runs. */
function refuseExplicit(asked: AttestationsAsked, where: Where): void {
  const refuse = (why: string) => {
    throw new InputError(ATTESTATIONS_INPUT, asked, why)
  }
  if (asked === 'provenance,sbom' && !SBOM_MODES.includes(where.mode))
    refuse(
      `the SBOM is attested where the step builds the image (mode build) or merges the legs ` +
        `that built it (mode merge); mode is "${where.mode}": use provenance`
    )
  if (!ATTESTING_MODES.includes(where.mode))
    refuse(
      `this version attests the images of modes build and merge (the merge attests each ` +
        `leg's digest too) and records those of mode promote; mode is "${where.mode}"`
    )
  if (!where.publishes)
    refuse('attesting needs the image pushed (push: true, no outputs or call)')
  // a promote signs nothing: it carries, records, and may require the source's (verify-identity)
  if (where.mode !== 'promote' && !where.ground?.idToken) refuse(ID_TOKEN)
}

/**
 * The run's attestations: named explicitly, on (refused now where they cannot be made: without an
 * ID token, naming id-token: write); by default, on where the job has an ID token, the repository
 * is public and the server is github.com, else off, said once. This version attests the images
 * of modes build and merge, and records those of mode promote.
 */
export function decideAttestations(
  asked: AttestationsAsked,
  where: Where
): AttestationsDecision {
  if (asked === 'false') return {}
  if (asked !== 'default') refuseExplicit(asked, where)
  // the CLI: no job, no ID token, nothing to say
  else if (
    !where.publishes ||
    !ATTESTING_MODES.includes(where.mode) ||
    !where.ground
  )
    return {}
  const { ground } = where
  if (ground === undefined) return {}
  const why = asked === 'default' ? offBecause(ground) : ''
  if (why !== '') {
    const line =
      `github-attestations is off: ${why}; set it to provenance to attest, or to false to ` +
      `say so`
    return ground.idToken ? { notice: line } : { remark: line }
  }
  const { apiUrl, serverUrl, organization } = ground
  return {
    attestations: {
      explicit: asked !== 'default',
      apiUrl,
      serverUrl,
      repository: where.repository,
      organization,
      sbom: asked === 'provenance,sbom'
    }
  }
}

/** Whether an attestation's value turns it off (`false`, `disabled=true`). */
const disables = (value: string) =>
  /^false$/i.test(value) || /(^|,)\s*disabled=true\s*(,|$)/.test(value)

/**
 * The build's `sbom` where provenance,sbom asks for BuildKit's SBOM: the user's `sbom` (or
 * `attests` line of type sbom, its generator kept) as given, else `true`; one that turns the SBOM
 * off is refused, as the attestation would have no document to attest.
 */
export function attestedSbom(
  asked: AttestationsAsked,
  { sbom, attests }: Pick<BuildSettings, 'sbom' | 'attests'>
): string | undefined {
  if (asked !== 'provenance,sbom') return sbom
  const given =
    sbom !== undefined
      ? [sbom]
      : attests.filter(line => isAttestType(line, 'sbom'))
  const off = given.find(disables)
  if (off !== undefined)
    throw new InputError(
      ATTESTATIONS_INPUT,
      asked,
      `it attests the SBOM BuildKit makes, and sbom is "${off}": drop that, or use provenance`
    )
  return given.length > 0 ? sbom : 'true'
}
