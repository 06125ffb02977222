/**
 * A release marked withdrawn by a rollback: the mark an OCI 1.1 referrer of its digest holds,
 * which the registry client writes and reads and the guards heed.
 */
export interface Withdrawal {
  /** The rollback's `reason` input. */
  reason: string
  /** Who ran the rollback (GITHUB_ACTOR; '' when unknown). */
  actor: string
  /** The rollback's workflow run ('' outside a runner). */
  run: string
  /** When it was withdrawn (RFC 3339). */
  time: string
}
