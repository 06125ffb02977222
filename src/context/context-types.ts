/** Everything the tag engine and the labels need to know about the run, read once. */
export interface RefContext {
  /** GITHUB_EVENT_NAME: push, pull_request, pull_request_target, release, schedule, ... */
  eventName: string
  /** Full git ref: refs/heads/x, refs/tags/v1.2.3, refs/pull/42/merge. */
  ref: string
  /** Commit SHA of the run (GITHUB_SHA). */
  sha: string
  /** Branch names that count as the default branch (one, or master and main). */
  defaultBranches: string[]
  /** Pull request number on pull_request(_target) events. */
  prNumber?: number
  /** Head branch of a pull request (the PR's source branch). */
  prHeadRef?: string
  /** Base branch of a pull request, or of a tag push when the payload tells it. */
  baseRef?: string
  /** Commit date of the head commit, when the payload has it. */
  commitDate?: Date
  /** GITHUB_RUN_ID, the same in every job and re-run: a merge (re-run) finds the legs by it. */
  runId?: string
  /** Length of the short sha ({{sha}}, type=sha); 7 when unset. */
  shortShaLength?: number
  repository: RepositoryInfo
  /** DOCKER_METADATA_ANNOTATIONS_LEVELS when it names more than buildx's default (manifest). */
  annotationLevels?: string[]
  /** The workflow run, as build-push-action's default provenance names it (runner only). */
  workflowRun?: WorkflowRun
  /** The runner's artifact service, where digest legs hand their images to the merge. */
  artifacts?: ArtifactService
  /** What GitHub's artifact attestations need of the run (runner only). */
  attestationGround?: AttestationGround
}

/** What decides whether a run attests by default, and where it stores its attestations. */
export interface AttestationGround {
  /** ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN are set: the job may ask for an ID token. */
  idToken: boolean
  /** The payload's repository.visibility, else public or private from repository.private. */
  visibility: string
  /** GITHUB_SERVER_URL, e.g. https://github.com. */
  serverUrl: string
  /** GITHUB_API_URL, e.g. https://api.github.com. */
  apiUrl: string
  /**
   * The payload's repository.owner.type is Organization: GitHub keeps storage records (artifact
   * metadata) for organizations only, and actions/attest asks the API the same question.
   */
  organization: boolean
}

/** The run's artifact service; its token stays in the environment, for @actions/artifact. */
export interface ArtifactService {
  /** ACTIONS_RESULTS_URL's origin: the service's twirp API is under it. */
  url: string
  /** GITHUB_RUN_ID: the same in every job and attempt of the run. */
  runId: string
  attempt: string
}

/** What build-push-action's default provenance knows of the run. */
export interface WorkflowRun {
  /** `<server>/<owner>/<name>/actions/runs/<id>/attempts/<n>`: the builder-id. */
  url: string
  /** payload.repository.private: mode=min on a private repository, else max. */
  privateRepository: boolean
  /** BUILDX_NO_DEFAULT_ATTESTATIONS is true: no default provenance. */
  noDefaultAttestations: boolean
}

export interface RepositoryInfo {
  /** owner/name */
  fullName: string
  /** https://github.com/owner/name */
  htmlUrl: string
  description?: string
  /** SPDX id of the license, when the payload has it. */
  license?: string
}
