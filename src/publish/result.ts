/** One pushed reference and the digest the registry holds for it. */
export interface Pushed {
  ref: string
  digest: string
}

/** What the registry holds for one of our references after the run ('' for nothing). */
export interface Held {
  ref: string
  digest: string
}

/** Where one of our references pointed before the run, and that image's version label. */
export interface Before {
  ref: string
  digest: string
  /** org.opencontainers.image.version of a tag this run moves ('' unread or unlabelled). */
  version: string
}

/** One tag that was left alone, and why. */
export interface Skipped {
  ref: string
  reason: string
}

/** One image's upload, as the job summary shows it. */
export interface Upload {
  image: string
  digest: string
  /** Blob bytes sent, mounted from another repository, and already there. */
  uploaded: number
  mounted: number
  present: number
  blobs: number
  ms: number
}

/** What publishing produced; empty on a dry run. */
export interface PublishResult {
  digest: string
  imageid: string
  metadata: Record<string, unknown>
  pushed: Pushed[]
  skipped: Skipped[]
  /** Platforms of what was published, when the run learned them (promote). */
  platforms?: string[]
  /** What the registry holds for our references, read back at the end. */
  held?: Held[]
  /** sign: the `cosign verify` command of each image signed. */
  verify?: string[]
  /** call: check: the result's one line for the job summary. */
  check?: string
  /** The build's uploads by the action's own client (builders without push by digest). */
  uploads?: Upload[]
  /** Where our references pointed when the run read the registry, before it wrote. */
  before?: Before[]
  /** How long the build (with its export to disk) took. */
  buildMs?: number
}

export const EMPTY_RESULT: PublishResult = {
  digest: '',
  imageid: '',
  metadata: {},
  pushed: [],
  skipped: []
}
