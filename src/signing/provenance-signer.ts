/**
 * GitHub's build provenance as actions/attest makes it, through its own library, @actions/attest
 * (its own chunk, dist/chunks/attest.js, loaded by the first attestation of a run): the SLSA v1
 * predicate it builds from the job's ID token (the workflow as builder), an in-toto statement per
 * subject, signed keyless by the Sigstore it picks (public-good Fulcio and Rekor for a public
 * repository, GitHub's Fulcio and timestamp authority for a private one). It reaches them at fixed
 * URLs through the runner's https_proxy, and asks the runner for its own ID tokens.
 */
import type { SerializedBundle } from '@actions/attest'

/** What an attestation is about: an image name and one of its manifests' digests. */
export interface AttestationSubject {
  /** The image's name without tag or digest, as actions/attest names a container subject. */
  name: string
  digest: string
}

/** Signs one subject's provenance statement: the Sigstore bundle, as JSON. */
export type ProvenanceSigner = (
  subject: AttestationSubject
) => Promise<SerializedBundle>

/** The predicate from the job's ID token, built once; each subject signed with a fresh key. */
export async function openProvenanceSigner(): Promise<ProvenanceSigner> {
  const { attest, buildSLSAProvenancePredicate } =
    await import('@actions/attest')
  const predicate = await buildSLSAProvenancePredicate()
  return async ({ name, digest }) => {
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
}
