/**
 * GitHub's build provenance as actions/attest makes it, through its own library, @actions/attest
 * (its own chunk, dist/chunks/attest.js, loaded by the first attestation of a run): the SLSA v1
 * predicate it builds from the job's ID token (the workflow as builder), an in-toto statement per
 * subject, signed keyless by the Sigstore it picks (public-good Fulcio and Rekor for a public
 * repository, GitHub's Fulcio and timestamp authority for a private one). It reaches them at fixed
 * URLs through the runner's https_proxy, and asks the runner for its own ID tokens.
 */
import { isDeepStrictEqual } from 'node:util'
import type { Predicate, SerializedBundle } from '@actions/attest'
import {
  namesSubject,
  statementOf,
  type BundleJson
} from './bundle-referrer.js'

/** What an attestation is about: an image name and one of its manifests' digests. */
export interface AttestationSubject {
  /** The image's name without tag or digest, as actions/attest names a container subject. */
  name: string
  digest: string
}

/** The SLSA predicate of this run, as @actions/attest builds it from the job's ID token. */
export interface ProvenancePredicate {
  type: string
  params: {
    buildDefinition: object
    runDetails: { builder: { id: string } }
  }
}

/** Signs one subject's provenance statement with the run's predicate, or another predicate. */
export interface ProvenanceSigner {
  /** The Sigstore bundle, as JSON; the run's provenance unless `predicate` is given. */
  sign(
    subject: AttestationSubject,
    predicate?: Predicate
  ): Promise<SerializedBundle>
  /**
   * Whether `bundle` is the statement this signer would sign for `digest` (attestsAlready; with
   * `predicate`, statesPredicate).
   */
  signedAlready(
    bundle: BundleJson,
    digest: string,
    predicate?: Predicate
  ): boolean
}

/** The predicate from the job's ID token, built once; each subject signed with a fresh key. */
export async function openProvenanceSigner(): Promise<ProvenanceSigner> {
  const { attest, buildSLSAProvenancePredicate } =
    await import('@actions/attest')
  const provenance = await buildSLSAProvenancePredicate()
  const sign = async (
    { name, digest }: AttestationSubject,
    predicate = provenance
  ) => {
    const [algorithm, hex] = digest.split(':')
    const signed = await attest({
      subjects: [{ name, digest: { [algorithm]: hex } }],
      predicateType: predicate.type,
      predicate: predicate.params,
      // stored by attestations-api.ts, which tells a refusal (403, 404) from a fault
      token: '',
      skipWrite: true
    })
    return signed.bundle
  }
  const params = provenance as unknown as ProvenancePredicate
  return {
    sign,
    signedAlready: (bundle, digest, predicate) =>
      predicate === undefined
        ? attestsAlready(bundle, params, digest)
        : statesPredicate(bundle, predicate, digest)
  }
}

/** The bundle's in-toto statement where it names `digest` as a subject. */
function statementAbout(bundle: BundleJson, digest: string) {
  const envelope = bundle.dsseEnvelope
  const statement = envelope && statementOf(envelope)
  return statement && namesSubject(statement, digest) ? statement : undefined
}

/**
 * Whether `bundle` already is this run's provenance of `digest`, as an earlier run of the same
 * workflow at the same commit made it (a re-run): the same subject, predicate type, builder (the
 * workflow, job_workflow_ref) and build definition (repository, ref, commit, event). Only the
 * run's id and attempt (runDetails.metadata) may differ. The bundle's signature is not checked:
 * this decides whether to add one, and a client that verifies reads every referrer anyway.
 */
export function attestsAlready(
  bundle: BundleJson,
  predicate: ProvenancePredicate,
  digest: string
): boolean {
  const statement = statementAbout(bundle, digest)
  if (statement === undefined) return false
  const held = (statement.predicate ?? {}) as Partial<
    ProvenancePredicate['params']
  >
  const { params } = predicate
  return (
    statement.predicateType === predicate.type &&
    held.runDetails?.builder?.id === params.runDetails.builder.id &&
    isDeepStrictEqual(held.buildDefinition, params.buildDefinition)
  )
}

/**
 * Whether `bundle` states `predicate` about `digest` (its type and document the same): an SBOM
 * attested already, by a re-run of this release.
 */
export function statesPredicate(
  bundle: BundleJson,
  predicate: Predicate,
  digest: string
): boolean {
  const statement = statementAbout(bundle, digest)
  return (
    statement !== undefined &&
    statement.predicateType === predicate.type &&
    isDeepStrictEqual(statement.predicate, predicate.params)
  )
}
