/**
 * OCI 1.1 referrers, after the read-back: promote's copied, `referrers: true` attaches buildx's
 * attestations.
 */
import type { Settings } from '../settings/settings.js'
import type { Image } from '../reference/images.js'
import { manifestRequest, type RequestStep } from './steps.js'

/** Stands for a referrer manifest, put by its digest once it is known. */
const REFERRER = '<referrer digest>'

function putReferrer(
  step: 'attest' | 'referrers',
  image: Image,
  when: string
): RequestStep {
  return manifestRequest(step, 'PUT', image, REFERRER, { when })
}

/** The steps of the referrer phase among the supply-chain ones (the rest are signing's). */
export function isReferrerStep(step: RequestStep): boolean {
  return step.step === 'attest' || step.step === 'referrers'
}

export function referrerSteps(
  settings: Settings,
  images: Image[]
): RequestStep[] {
  const carry =
    settings.mode === 'promote'
      ? images.map(image =>
          putReferrer('referrers', image, 'the source has referrers')
        )
      : []
  const attest = settings.referrers
    ? images.map(image =>
        putReferrer('attest', image, 'the image carries attestations')
      )
    : []
  return [...carry, ...attest]
}
