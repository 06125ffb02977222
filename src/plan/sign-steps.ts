/**
 * Supply-chain steps: promote's gate; after the read-back, OCI 1.1 referrers (promote's copied,
 * `referrers: true` attaches buildx's attestations), then in cosign's tag scheme carried artifacts
 * and our signature.
 */
import { promoteSource, type Settings } from '../settings/settings.js'
import type { Image } from '../reference/images.js'
import { manifestRequest, type RequestStep, type Step } from './steps.js'

/** Stands for `sha256-<hex>.sig` until the digest is known. */
const SIGNATURE_TAG = 'sha256-<digest>.sig'
/** The source digest's artifact tags (promote). */
const SOURCE_ARTIFACTS = 'sha256-<source digest>.{sig,att}'

/**
 * promote with verify-key or verify-identity: the source's signatures read and checked before any
 * tag moves.
 */
export function verifySteps(settings: Settings): RequestStep[] {
  const { verifyKey, verifyIdentity } = settings.signing
  if (
    settings.mode !== 'promote' ||
    (verifyKey === '' && verifyIdentity === '')
  )
    return []
  const { image } = promoteSource(settings)
  return [manifestRequest('verify', 'GET', image, 'sha256-<source digest>.sig')]
}

/** promote's stage with the gate right after the source is read, before anything is copied. */
export function withVerify(stage: Step[], verify: RequestStep[]): Step[] {
  const source = stage.findIndex(step => step.step === 'source')
  if (verify.length === 0 || source < 0) return stage
  return [...stage.slice(0, source + 1), ...verify, ...stage.slice(source + 1)]
}

/** Stands for a referrer manifest, put by its digest once it is known. */
const REFERRER = '<referrer digest>'

/** The steps of the referrer phase among the supply-chain ones (the rest are signing's). */
export function isReferrerStep(step: RequestStep): boolean {
  return step.step === 'attest' || step.step === 'referrers'
}

/**
 * After the read-back, each kind for every image: promote's referrers, `referrers: true`'s
 * attestations; then promote carries the source's artifacts, `sign` adds ours.
 */
export function signSteps(settings: Settings, images: Image[]): RequestStep[] {
  const promote = settings.mode === 'promote'
  const kinds: [boolean, (image: Image) => RequestStep][] = [
    [
      promote,
      image =>
        manifestRequest('referrers', 'PUT', image, REFERRER, {
          when: 'the source has referrers'
        })
    ],
    [
      settings.referrers,
      image =>
        manifestRequest('attest', 'PUT', image, REFERRER, {
          when: 'the image carries attestations'
        })
    ],
    [
      promote,
      image =>
        manifestRequest('carry', 'PUT', image, SOURCE_ARTIFACTS, {
          when: 'the source has signatures or attestations'
        })
    ],
    [
      settings.signing.sign !== 'off',
      image => manifestRequest('sign', 'PUT', image, SIGNATURE_TAG)
    ]
  ]
  return kinds.flatMap(([asked, step]) => (asked ? images.map(step) : []))
}
