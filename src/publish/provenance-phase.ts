/**
 * github-attestations, after the registry's first read and before any tag moves: the provenance of
 * each image's digest the tags will point at (a re-run's adopted release, else the staged one) and
 * of each platform manifest it lists (with provenance,sbom, each platform manifest's SBOM that
 * BuildKit made, too), signed through @actions/attest, stored with the attestations API, then
 * attached as a referrer of its subject; for an organization, then the image's storage record. A
 * subject whose referrers hold the same statement already gets nothing new (a re-run changes
 * nothing but the storage record an earlier run's was refused). A refusal of the API (403, 404)
 * is told once and the release goes on without; any other fault fails the run when the input
 * named attestations, else is told once and the release goes on.
 */
import { errorMessage } from '../errors/input-error.js'
import { ATTESTATIONS_INPUT } from '../settings/github-attestations.js'
import {
  isCommand,
  notRunLine,
  stepLine,
  type RequestStep
} from '../plan/steps.js'
import { requireManifest } from '../registry/client.js'
import { attachBundle } from '../registry/referrers.js'
import {
  attestationIdOf,
  attestationSubjects,
  SLSA_PROVENANCE
} from '../registry/referrer-index.js'
import type { Manifest, OciDescriptor } from '../registry/manifest.js'
import { legDigest } from '../plan/copy-steps.js'
import type { Image } from '../reference/images.js'
import {
  attestationUrl,
  storeAttestation
} from '../signing/attestations-api.js'
import { referredBundles } from '../signing/bundle-referrer.js'
import type { ProvenanceSigner } from '../signing/provenance-signer.js'
import { builtSboms } from '../signing/built-sboms.js'
import type { Predicate } from '@actions/attest'
import { referrerLines } from './sign-phase.js'
import {
  recordAccess,
  recordedAlready,
  recordStorage
} from './storage-record.js'
import type { RunContext } from './run-context.js'

/** @actions/attest is loaded only by a run that attests (dist/chunks/attest.js). */
const provenanceSigner = () => import('../signing/provenance-signer.js')

/** One subject's attestation, stored; attached by the image's PUT step. */
interface Stored {
  subject: OciDescriptor
  bundle: Uint8Array
  id: string
  predicateType: string
}

/**
 * The phase's state: the signer once opened, what each image stored, who attested its digest,
 * why it stopped.
 */
interface Attesting {
  run: RunContext
  signer?: Promise<ProvenanceSigner>
  stored: Map<string, Stored[]>
  /** By image: its digest's provenance attested by this run, or by an earlier one (a re-run). */
  attested: Map<string, 'now' | 'earlier'>
  /** The images whose storage record the organization holds already. */
  recorded: Set<string>
  /** Set once the phase gave up: every later step is not run, with this reason. */
  stopped?: string
  /** Set once a storage record was refused: no other is asked for (one warning). */
  noRecords?: boolean
}

/** Records an attestation in the run's result (the output and the summary). */
function record(
  run: RunContext,
  image: string,
  subject: string,
  id: string,
  predicateType: string
) {
  const { serverUrl, repository } = run.publication.attestations ?? {}
  const url = attestationUrl(serverUrl ?? '', repository ?? '', id)
  const list = (run.env.result.attestations ??= [])
  list.push({ image, subject, predicateType, id, url })
  return url
}

/** What one attestation states: the run's provenance, or a platform manifest's SBOM. */
interface Claim {
  subject: OciDescriptor
  /** The SBOM's predicate; undefined: the run's provenance. */
  sbom?: Predicate
}

const claimType = (claim: Claim) => claim.sbom?.type ?? SLSA_PROVENANCE

/**
 * The claim as this run would make it, found among its subject's referrers (a re-run, or another
 * run of the workflow at this commit): then nothing is signed, stored or attached again.
 */
async function attestedAlready(
  state: Attesting,
  image: Image,
  { subject, sbom }: Claim,
  signer: ProvenanceSigner
): Promise<boolean> {
  const { env } = state.run
  const { digest } = subject
  const held = await referredBundles(env.registry, image, digest)
  const same = held.find(h => signer.signedAlready(h.bundle, digest, sbom))
  if (same === undefined) return false
  const id = attestationIdOf(same.listed)
  const where = id === undefined ? '' : `attestation ${id}, `
  const what = sbom === undefined ? 'attested' : 'its SBOM attested'
  env.log.info(
    `  ${image.name}@${digest}: ${what} already by this workflow at this commit ` +
      `(${where}referrer ${same.listed.digest}); nothing added`
  )
  if (id !== undefined)
    record(state.run, image.name, digest, id, claimType({ subject, sbom }))
  return true
}

/** Mode merge: each leg's index the staged steps learnt (its platform, buildx's attestations). */
function legIndexes(run: RunContext, image: Image): Promise<Manifest[]> {
  const legs = run.pipeline.stage.flatMap(step =>
    !isCommand(step) && step.step === 'staged' && step.image.name === image.name
      ? [run.values.resolve(legDigest(step.reference), image)]
      : []
  )
  return Promise.all(
    legs.map(digest => requireManifest(run.env.registry, image, digest))
  )
}

/**
 * What the image's provenance is about: its digest and each platform manifest it lists; in mode
 * merge, each leg's digest too (an index the merged index does not list).
 */
function subjectsOf(root: Manifest, legs: Manifest[]): OciDescriptor[] {
  const subjects = attestationSubjects(root)
  for (const leg of legs) {
    const [own] = attestationSubjects(leg)
    if (!subjects.some(s => s.digest === own.digest)) subjects.push(own)
  }
  return subjects
}

/**
 * The SBOMs BuildKit made of the image's platform manifests (each of its scans: the final stage,
 * and the context or stages where the build asked): those of the index's attestation
 * manifests and, in mode merge, of each leg's index (whichever the merged index does not carry).
 */
async function sbomsOf(
  run: RunContext,
  image: Image,
  indexes: Manifest[]
): Promise<Map<string, Predicate[]>> {
  const sboms = new Map<string, Predicate[]>()
  for (const index of indexes) {
    const found = await builtSboms(run.env.registry, image, index, sboms)
    found.forEach((predicate, subject) => sboms.set(subject, predicate))
  }
  return sboms
}

/**
 * What the image's attestations state: each subject's provenance and, with provenance,sbom, each
 * platform manifest's SBOM that BuildKit made (read before anything is signed: an image with none
 * fails here, where the builder kept no attestation).
 */
async function claimsOf(
  run: RunContext,
  image: Image,
  root: Manifest,
  sbom: boolean
): Promise<Claim[]> {
  const legs = await legIndexes(run, image)
  const subjects = subjectsOf(root, legs)
  const claims: Claim[] = subjects.map(subject => ({ subject }))
  if (!sbom) return claims
  const sboms = await sbomsOf(run, image, [root, ...legs])
  if (sboms.size === 0)
    throw new Error(
      `${image.name}@${root.digest} carries no SBOM BuildKit made (no SBOM statement in its ` +
        'attestation manifests: a builder that keeps no attestations, as the docker driver on ' +
        'the classic image store, makes none; in a matrix, give the legs sbom: true)'
    )
  for (const subject of subjects)
    for (const predicate of sboms.get(subject.digest) ?? [])
      claims.push({ subject, sbom: predicate })
  return claims
}

/** Signs and stores each claim about the step's image that its referrers do not hold yet. */
async function signAndStore(state: Attesting, step: RequestStep) {
  const { run } = state
  const { env, values, publication, settings } = run
  const attestations = publication.attestations
  if (attestations === undefined) return
  const { image } = step
  const digest = values.digestOf(image.name)
  const root = await requireManifest(env.registry, image, digest)
  const claims = await claimsOf(run, image, root, attestations.sbom)
  const signer = await (state.signer ??= provenanceSigner().then(m =>
    m.openProvenanceSigner()
  ))
  const limits = { timeoutMs: env.bounds.registryMs, ...env.retry }
  const stored: Stored[] = []
  for (const claim of claims) {
    const { subject, sbom } = claim
    const already = await attestedAlready(state, image, claim, signer)
    if (subject.digest === digest && sbom === undefined)
      state.attested.set(image.name, already ? 'earlier' : 'now')
    if (already) continue
    const subjectName = { name: image.name, digest: subject.digest }
    const bundle = await signer.sign(subjectName, sbom)
    const answer = await storeAttestation(bundle, {
      ...attestations,
      token: settings.cleanup.githubToken,
      limits
    })
    if ('refused' in answer) return refused(state, answer)
    const predicateType = claimType(claim)
    const url = record(
      run,
      image.name,
      subject.digest,
      answer.id,
      predicateType
    )
    env.log.info(
      `  ${image.name}@${subject.digest}: ${predicateType} attestation ${answer.id}, ${url}`
    )
    const bytes = new TextEncoder().encode(JSON.stringify(bundle))
    stored.push({ subject, bundle: bytes, id: answer.id, predicateType })
  }
  state.stored.set(image.name, stored)
}

/** The attestations API refused: told once, the release goes on without attestations. */
function refused(
  state: Attesting,
  answer: { refused: number; message: string }
) {
  state.stopped = `the attestations API refused (HTTP ${answer.refused}: ${answer.message})`
  state.run.env.log.warning(
    `${ATTESTATIONS_INPUT}: ${state.stopped}, so no attestation went to the registry: ` +
      'give the job "permissions: attestations: write" (a private repository needs a plan ' +
      'with artifact attestations); the release goes on without them'
  )
}

/** Attaches the image's stored attestations as referrers of their subjects. */
async function attach(state: Attesting, step: RequestStep) {
  const { env } = state.run
  const { image } = step
  const stored = state.stored.get(image.name) ?? []
  for (const { subject, bundle, id, predicateType } of stored) {
    const attached = await attachBundle(env.registry, image, subject, bundle, {
      predicateType,
      id
    })
    env.log.info(referrerLines(image.name, [attached]))
  }
}

/** Why a `record` step is not taken; '' where it is. */
function recordSkipped(state: Attesting, step: RequestStep): string {
  const by = state.attested.get(step.image.name)
  if (by === undefined) return 'the digest was not attested'
  if (step.method === 'GET')
    return by === 'earlier' ? '' : 'not needed: this run attested the digest'
  if (state.noRecords) return 'a storage record was refused already'
  return state.recorded.has(step.image.name)
    ? 'not needed: a storage record of the digest is held'
    : ''
}

/**
 * A `record` step: the GET reads the organization's records of a digest an earlier run attested;
 * the POST makes the record where this run attested the digest or none is held. Logs itself.
 */
async function recordImage(state: Attesting, step: RequestStep) {
  const { run } = state
  const { image } = step
  const access = recordAccess(run)
  const skipped = recordSkipped(state, step)
  if (access === undefined || skipped !== '') {
    run.env.log.info(notRunLine(step, skipped || 'no storage records here'))
    return
  }
  run.env.log.info(stepLine(step))
  const digest = run.values.digestOf(image.name)
  if (step.method === 'POST')
    state.noRecords = !(await recordStorage(access, image, digest, run.env))
  else if (await recordedAlready(access, image, digest, run.env))
    state.recorded.add(image.name)
}

/** A fault: fails the run where the input named attestations, else told once. */
function fault(state: Attesting, step: RequestStep, error: unknown): void {
  const { publication, env } = state.run
  const why = `${step.image.name}: ${errorMessage(error)}`
  if (publication.attestations?.explicit)
    throw new Error(
      `input "${ATTESTATIONS_INPUT}": attesting ${why}; no tag was moved`
    )
  state.stopped = `attesting failed (${why})`
  env.log.warning(
    `${ATTESTATIONS_INPUT}: ${state.stopped}; the release goes on without GitHub attestations`
  )
}

export async function attestStaged(run: RunContext): Promise<void> {
  const steps = run.pipeline.provenance
  if (steps.length === 0) return
  const state: Attesting = {
    run,
    stored: new Map(),
    attested: new Map(),
    recorded: new Set()
  }
  await run.env.log.group('Attest the staged digests (GitHub)', async () => {
    for (const step of steps) {
      if (state.stopped !== undefined) {
        run.env.log.info(notRunLine(step, state.stopped))
        continue
      }
      if (step.step === 'record') {
        await recordImage(state, step)
        continue
      }
      run.env.log.info(stepLine(step))
      await (
        step.method === 'POST' ? signAndStore(state, step) : attach(state, step)
      ).catch((error: unknown) => fault(state, step, error))
    }
  })
}
