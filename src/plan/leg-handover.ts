/**
 * A `mode: digest` leg hands its image to `mode: merge` in a record per image
 * and platform in the run's artifacts, no tag (a re-run's newer one wins, see newestLeg). The
 * merge checks each names this run, commit, image and platform: the service
 * lists a run's artifacts to it only, so no other run's leg passes as ours.
 * Without an artifact service, under the run's tag for the platform (stagingTag).
 */
import type { ArtifactService, RefContext } from '../context/context-types.js'
import { isSha256Digest, sha256Digest } from '../reference/grammar.js'
import type { Image } from '../reference/images.js'
import { sanitizeTag } from '../tags/sanitize.js'
import type { RequestStep } from './steps.js'

/**
 * The tag an image waits under before any pulled tag moves: a digest leg's (the merge finds it by
 * name), or the build's.
 */
export function stagingTag(buildId: string, platform: string): string {
  const name =
    platform === '' ? `build-${buildId}` : `build-${buildId}-${platform}`
  return sanitizeTag(name) ?? `build-${buildId}`
}

/** The run the legs and the merge belong to (the artifact route). */
export interface LegRun extends ArtifactService {
  /** The commit the run builds (GITHUB_SHA, or the pull request's head). */
  sha: string
  /** owner/name (GITHUB_REPOSITORY). */
  repository: string
}

/** What a leg's artifact holds (one JSON file). */
interface LegRecord extends Pick<
  LegRun,
  'runId' | 'attempt' | 'sha' | 'repository'
> {
  image: string
  platform: string
  digest: string
}

/** The file a leg's artifact holds. */
export const LEG_FILE = 'leg.json'

const TWIRP = '/twirp/github.actions.results.api.v1.ArtifactService'

/**
 * The artifact name of an image's leg, before its attempt: a hash of both keeps it unique, as names
 * may not hold `/` or `:`.
 */
export function legArtifactBase(image: string, platform: string): string {
  const slug = `${image}-${platform}`
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .slice(0, 72)
  const hash = sha256Digest(`${image}\n${platform}`).slice(7, 19)
  return `docker-publish-leg-${slug}-${hash}`
}

/*
 * Why the attempt is in the name: GitHub has refused a re-run job's upload of
 * a name an earlier attempt used (409, unique per run) and has also kept both
 * (unique per attempt); a name per attempt passes under either rule, where
 * delete-then-upload (upload-artifact's `overwrite`) races a slower attempt and
 * still met a 409 after its delete. A job's own name is refused again once its
 * finalize failed, so the one upload retried goes under a name with a suffix
 * of its own. The merge takes per image and platform the newest attempt, then
 * the newest upload: a leg re-run after the merge's attempt began still wins.
 */

/**
 * The artifact name of an image's leg in attempt `attempt` of the run (`suffix`: a retried
 * upload's).
 */
export function legArtifactName(
  image: string,
  platform: string,
  attempt: string,
  suffix = ''
): string {
  const retried = suffix === '' ? '' : `-${suffix}`
  return `${legArtifactBase(image, platform)}-a${attempt}${retried}`
}

/** An artifact of the run, as the service lists it. */
export interface ListedArtifact {
  name: string
  id: number
  createdAt?: Date
}

/**
 * The newest leg among the run's artifacts named from `base`: highest attempt, then newest upload,
 * then id.
 */
export function newestLeg<T extends ListedArtifact>(
  artifacts: T[],
  base: string
): T | undefined {
  const attemptOf = (name: string) =>
    name.startsWith(`${base}-a`)
      ? /^(\d+)(-[0-9a-f]+)?$/.exec(name.slice(base.length + 2))?.[1]
      : undefined
  const time = (artifact: T) => artifact.createdAt?.getTime() ?? 0
  return artifacts
    .filter(artifact => attemptOf(artifact.name) !== undefined)
    .sort(
      (a, b) =>
        Number(attemptOf(b.name)) - Number(attemptOf(a.name)) ||
        time(b) - time(a) ||
        b.id - a.id
    )[0]
}

/** The record a leg uploads for `image` built for `platform`. */
export function legRecord(
  run: LegRun,
  image: string,
  platform: string,
  digest: string
): LegRecord {
  const { runId, attempt, sha, repository } = run
  return { image, platform, digest, runId, attempt, sha, repository }
}

function field(record: Record<string, unknown>, key: string): string {
  const value = record[key]
  return typeof value === 'string' ? value : ''
}

/**
 * The digest a leg's record hands over, once checked to be this run's; else an error naming what
 * differs.
 */
export function checkLegRecord(
  text: string,
  want: { run: LegRun; image: string; platform: string; artifact: string }
): string {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    // not JSON: refused below, as not a record
  }
  const refuse = (why: string) =>
    new Error(
      `the leg artifact ${want.artifact} is refused: ${why}, so it is not a leg of this run`
    )
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw refuse(`its ${LEG_FILE} is not a leg record`)
  const record = parsed as Record<string, unknown>
  const expected: [string, string][] = [
    ['repository', want.run.repository],
    ['runId', want.run.runId],
    ['sha', want.run.sha],
    ['image', want.image],
    ['platform', want.platform]
  ]
  const wrong = expected.filter(([key, value]) => field(record, key) !== value)
  if (wrong.length > 0)
    throw refuse(
      wrong
        .map(
          ([key, value]) =>
            `${key} ${JSON.stringify(field(record, key))}, not ${JSON.stringify(value)}`
        )
        .join('; ')
    )
  const digest = field(record, 'digest')
  if (!isSha256Digest(digest))
    throw refuse(`digest ${JSON.stringify(digest)} is not a sha256 digest`)
  return digest
}

/**
 * handover: the leg's artifact of `image` uploaded (digest mode); staged: the run's newest one
 * listed, read and checked (merge; `artifact` is then the names' base).
 */
export function legStep(
  run: LegRun,
  step: 'handover' | 'staged',
  image: Image,
  platform: string
): RequestStep {
  const artifact =
    step === 'handover'
      ? legArtifactName(image.name, platform, run.attempt)
      : legArtifactBase(image.name, platform)
  const method = step === 'handover' ? 'CreateArtifact' : 'ListArtifacts'
  const url = `${run.url}${TWIRP}/${method}`
  return {
    step,
    method: 'POST',
    url,
    image,
    reference: artifact,
    platform,
    artifact
  }
}

/**
 * The run the legs belong to, where the runner has an artifact service (else they hand over through
 * tags).
 */
export function legRunOf(ctx: RefContext): LegRun | undefined {
  if (ctx.artifacts === undefined) return undefined
  return { ...ctx.artifacts, sha: ctx.sha, repository: ctx.repository.fullName }
}

/** What a digest or merge run without an artifact service says of its handover tags. */
export const TAG_HANDOVER_NOTICE =
  'No artifact service on this runner (a GitHub runner gives JavaScript actions ' +
  'ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL), so the digest legs hand over through ' +
  'build-<run>-<platform> tags: the merge deletes them, but on a registry that refuses ' +
  'deletes (GHCR, distribution without storage.delete) they stay'
