/**
 * Supply-chain steps: promote's gate; after the read-back, OCI 1.1 referrers (promote's copied,
 * `referrers: true` attaches buildx's attestations), then in cosign's tag scheme carried artifacts
 * and our signature.
 */
import { promoteSource, type Settings } from '../settings/settings.js'
import type { GithubAttestations } from '../settings/github-attestations.js'
import type { Image } from '../reference/images.js'
import { apiUrl } from '../reference/repository.js'
import {
  DIGEST,
  manifestRequest,
  type RequestStep,
  type Step,
  type StepName
} from './steps.js'

/** Stands for `sha256-<hex>.sig` until the digest is known. */
const SIGNATURE_TAG = 'sha256-<digest>.sig'
/** The source digest's artifact tags (promote). */
const SOURCE_ARTIFACTS = 'sha256-<source digest>.{sig,att}'

/**
 * promote with verify-key or verify-identity: the source's signatures read and checked before any
 * tag moves: cosign 2's `.sig` tag, then cosign 3's bundles among its referrers (the referrers
 * API, else the referrers tag `sha256-<source digest>`). One check, made at the last read.
 */
export function verifySteps(settings: Settings): RequestStep[] {
  const { verifyKey, verifyIdentity } = settings.signing
  const verifies = settings.mode === 'promote' || settings.mode === 'rollback'
  if (!verifies || (verifyKey === '' && verifyIdentity === '')) return []
  const { image } = promoteSource(settings)
  const reference = '<source digest>'
  const referrers = `/v2/${image.repository}/referrers/${reference}`
  // GitHub's provenance is among the referrers only: no `.sig` to read for it
  const readsSig =
    verifyKey !== '' || identityEvidence(settings) === 'signature'
  return [
    ...(readsSig
      ? [manifestRequest('verify', 'GET', image, 'sha256-<source digest>.sig')]
      : []),
    {
      step: 'verify',
      method: 'GET',
      url: apiUrl(image, referrers),
      image,
      reference
    }
  ]
}

/**
 * What verify-identity asks of the source: a keyless signature by that identity, or, where a
 * promote names github-attestations (provenance), GitHub's provenance attestation signed by it.
 */
export const identityEvidence = (
  settings: Settings
): 'signature' | 'provenance' =>
  settings.mode === 'promote' && settings.githubAttestations === 'provenance'
    ? 'provenance'
    : 'signature'

/**
 * promote's and rollback's stage with the gate right after the source is read, before anything is
 * copied or any tag moves.
 */
export function withVerify(stage: Step[], verify: RequestStep[]): Step[] {
  const source = stage.findIndex(
    step => step.step === 'source' || step.step === 'release'
  )
  if (verify.length === 0 || source < 0) return stage
  return [...stage.slice(0, source + 1), ...verify, ...stage.slice(source + 1)]
}

/** Stands for a referrer manifest, put by its digest once it is known. */
const REFERRER = '<referrer digest>'

/** The steps of the referrer phase among the supply-chain ones (the rest are signing's). */
export function isReferrerStep(step: RequestStep): boolean {
  return ['attest', 'referrers', 'record'].includes(step.step)
}

/** GitHub's artifact metadata of the run's organization (REST "artifact metadata"). */
function artifactsUrl(attestations: GithubAttestations): string {
  const [owner] = attestations.repository.split('/')
  return `${attestations.apiUrl}/orgs/${owner}/artifacts`
}

/** A storage record of the image's digest, made where `when` holds. */
const recordStep = (
  attestations: GithubAttestations,
  image: Image,
  when: string
): RequestStep => ({
  step: 'record',
  method: 'POST',
  url: `${artifactsUrl(attestations)}/metadata/storage-record`,
  image,
  reference: DIGEST,
  when
})

/**
 * promote with github-attestations, for an organization: a storage record of each image's digest
 * (the target's own; the attestations travel as copied referrers).
 */
function recordSteps(
  attestations: GithubAttestations | undefined,
  images: Image[]
): RequestStep[] {
  if (!attestations?.organization) return []
  return images.map(image =>
    recordStep(
      attestations,
      image,
      "the source's GitHub provenance of the digest was copied"
    )
  )
}

/**
 * The build's and the merge's storage record of the image's digest, for an organization: made
 * where this run attested the digest; where an earlier run had (a re-run), the records are read
 * first and the one missing (the first run's refused) is made.
 */
function attestedRecordSteps(
  attestations: GithubAttestations,
  image: Image
): RequestStep[] {
  if (!attestations.organization) return []
  return [
    {
      step: 'record',
      method: 'GET',
      url: `${artifactsUrl(attestations)}/${DIGEST}/metadata/storage-records`,
      image,
      reference: DIGEST,
      when: 'the digest was attested by an earlier run'
    },
    recordStep(
      attestations,
      image,
      'this run attested the digest, or no storage record of it is held'
    )
  ]
}

/**
 * After the read-back, each kind for every image: promote's referrers (and, with
 * github-attestations, the target's storage record), `referrers: true`'s attestations; then
 * promote carries the source's artifacts, `sign` adds ours.
 */
export function signSteps(
  settings: Settings,
  images: Image[],
  attestations?: GithubAttestations
): RequestStep[] {
  const promote = settings.mode === 'promote'
  const put = (
    asked: boolean,
    step: StepName,
    reference: string,
    more: Partial<RequestStep> = {}
  ) =>
    asked
      ? images.map(image =>
          manifestRequest(step, 'PUT', image, reference, more)
        )
      : []
  return [
    ...put(settings.mode === 'rollback', 'withdraw', REFERRER, {
      when: 'a tag moved off a release'
    }),
    ...put(promote, 'referrers', REFERRER, {
      when: 'the source has referrers'
    }),
    ...(promote ? recordSteps(attestations, images) : []),
    ...put(settings.referrers, 'attest', REFERRER, {
      when: 'the image carries attestations'
    }),
    ...put(promote, 'carry', SOURCE_ARTIFACTS, {
      when: 'the source has signatures or attestations'
    }),
    ...put(settings.signing.sign !== 'off', 'sign', SIGNATURE_TAG)
  ]
}

/** What an image's provenance is about: its digest, and each platform manifest its index lists. */
const SUBJECTS = 'for the digest and each platform manifest it lists'
/** mode merge's: each leg's digest too. */
const MERGE_SUBJECTS = `${SUBJECTS}, and each leg's digest`

/**
 * github-attestations, before any tag moves: for each image, a provenance statement per subject
 * signed and stored with the attestations API, then each attached as a referrer of its subject,
 * then, for an organization, the image's storage record.
 */
export function provenanceSteps(
  attestations: GithubAttestations | undefined,
  images: Image[],
  mode: Settings['mode']
): RequestStep[] {
  // promote signs nothing: the source's attestations travel as its referrers (signSteps)
  if (attestations === undefined || mode === 'promote') return []
  const { apiUrl, repository } = attestations
  const subjects =
    (mode === 'merge' ? MERGE_SUBJECTS : SUBJECTS) +
    (attestations.sbom
      ? `; and each platform manifest's SBOM BuildKit made`
      : '')
  return images.flatMap(image => [
    {
      step: 'provenance',
      method: 'POST',
      url: `${apiUrl}/repos/${repository}/attestations`,
      image,
      reference: DIGEST,
      when: subjects
    },
    manifestRequest('provenance', 'PUT', image, REFERRER, {
      when: `${subjects}, once the attestations API stored them`
    }),
    ...attestedRecordSteps(attestations, image)
  ])
}
