import type { RefContext, WorkflowRun } from '../context/context-types.js'
import type { Image } from '../reference/images.js'
import { mergeKeyValues, ociLabels, pullRequestLabel } from './labels.js'
import { emptySecrets } from '../settings/logins.js'
import { DEFAULT_BAKE_TARGET, type Settings } from '../settings/settings.js'
import { parseFlavor } from '../tags/flavor.js'
import { computeTags } from '../tags/compute.js'
import type { Tag, TagResult } from '../tags/tag-types.js'
import { refInfo } from '../tags/ref-info.js'
import { isPullRequestEvent } from '../context/git-refs.js'
import { unwrittenCacheTo, unwrittenNote, type CacheSources } from './cache.js'
import { createEnv } from '../tags/expressions.js'
import { expandLines } from './value-templates.js'
import { legRunOf, TAG_HANDOVER_NOTICE, type LegRun } from './leg-handover.js'
import { evaluatesOnly } from '../settings/build-options.js'
import {
  decideAttestations,
  type GithubAttestations
} from '../settings/github-attestations.js'

/**
 * What a run will publish: computed purely from the inputs, the ref and the time (its version, tags
 * and warnings are computeTags's).
 */
export interface Publication extends TagResult {
  images: Image[]
  /** Full references, image by image, tag by tag (metadata-action's order). */
  refs: string[]
  labels: Record<string, string>
  annotations: Record<string, string>
  /** The `build-args` lines, their templates rendered (value-templates.ts). */
  buildArgs: string[]
  /** One line per login skipped for its empty password, and why. */
  notices: string[]
  /** Lines the log says once, no annotation: what a default did where nobody asked. */
  remarks?: string[]
  /** Names this run's staging tags in digest and merge modes. */
  buildId: string
  /** Where the runner has an artifact service: the run digest legs and the merge hand over in. */
  legs?: LegRun
  /** The build's SOURCE_DATE_EPOCH: when the image counts as created, in seconds. */
  sourceDateEpoch: number
  /** The levels the build puts annotations at, when not buildx's default (manifest). */
  annotationLevels?: string[]
  /** The workflow run, for build-push-action's default provenance (runner only). */
  workflowRun?: WorkflowRun
  /** The image's own tags a build may import its cache from (cache: auto, inline). */
  cacheSources?: CacheSources
  /** github-attestations, where the run makes them. */
  attestations?: GithubAttestations
}

/**
 * The tags a build may import its cache from: this run's, the default branch's; a pull request's
 * number (it writes none).
 */
function cacheSources(
  settings: Settings,
  ctx: RefContext,
  tags: Tag[],
  now: Date
): CacheSources {
  const info = refInfo(ctx)
  const pr = isPullRequestEvent(ctx.eventName) || info.pr !== undefined
  const branch = ctx.defaultBranches[0] ?? 'main'
  let defaultBranch: string[] = []
  try {
    const main: RefContext = {
      ...ctx,
      eventName: 'push',
      ref: `refs/heads/${branch}`,
      prNumber: undefined,
      prHeadRef: undefined,
      baseRef: undefined
    }
    defaultBranch = computeTags(main, settings, now).tags.map(t => t.name)
  } catch {
    // rules that cannot describe a push to the default branch import nothing from it
  }
  return {
    own: tags.filter(t => t.kind !== 'version').map(t => t.name),
    defaultBranch,
    ...(pr && { pullRequest: Number(info.pr ?? 0) })
  }
}

/**
 * What `push: false` leaves out of a digest, merge or promote run, in one notice, and each cache-to
 * line it does not write.
 */
function notPushed({ mode, build }: Settings): string[] {
  const platform = build.platforms.join(',')
  const what = {
    build: '',
    digest: `this leg builds ${platform} and hands nothing over to the merge`,
    merge: 'the digest legs handed nothing over, so there is nothing to join',
    gate: '',
    promote: 'the source is not copied',
    rollback: 'no tag moves back',
    cleanup: ''
  }[mode]
  const unwritten =
    mode === 'build' || mode === 'digest' ? unwrittenCacheTo(build) : []
  return [
    ...(what === ''
      ? []
      : [`push is false: ${what}; no registry is written to`]),
    ...unwritten.map(unwrittenNote)
  ]
}

/**
 * metadata-action's rules for an empty `tags` (its tag.ts Transform); its latest=auto adds
 * `latest` on a git tag.
 */
export const METADATA_ACTION_TAGS = [
  'type=schedule',
  'type=ref,event=branch',
  'type=ref,event=tag',
  'type=ref,event=pr'
]

/** An empty `tags` beside inputs only metadata-action has: a migrating user, told its tags. */
function metadataDefaultsNotice(settings: Settings): string[] {
  const { tags, flavor, separators, bakeTarget } = settings
  const metadataOnly =
    flavor.length > 0 ||
    bakeTarget !== DEFAULT_BAKE_TARGET ||
    Object.values(separators).some(separator => separator !== '\n')
  if (tags.length > 0 || !metadataOnly) return []
  const block = ['tags: |', ...METADATA_ACTION_TAGS.map(line => `  ${line}`)]
  return [
    "tags is empty, so this action's default tags apply (latest for the default branch; " +
      "1.2.3, 1.2 and 1 for v1.2.3), not metadata-action's (the branch's name; the git tag " +
      "as written, and latest). To keep metadata-action's tags, set:\n" +
      block.join('\n')
  ]
}

/**
 * mode rollback: the named floating tags, on no release line (the forward-only guard does not
 * hold them: going back is what was asked); the version is the release gone back to.
 */
function rollbackTags({ tags, source }: Settings): TagResult {
  return {
    version: source?.reference ?? '',
    tags: tags.map(name => ({ name, kind: 'floating' })),
    warnings: []
  }
}

/** mode gate moves no tag: the merge after it does. */
const NO_TAGS: TagResult = { version: '', tags: [], warnings: [] }

/**
 * A rollback of `latest` that the next push of the default branch moves again: under the default
 * flavor `latest` follows the default branch; only `latest=release` (or `false`) leaves it.
 */
function undoneLatest({ mode, tags, flavor, source }: Settings): string[] {
  if (mode !== 'rollback' || !tags.includes('latest')) return []
  if (['release', 'false'].includes(parseFlavor(flavor).latest)) return []
  return [
    `latest goes back to ${source?.reference ?? 'the release'}, but with the default flavor the ` +
      'next push of the default branch moves it again: publish releases with ' +
      '`flavor: latest=release` (and give this step the same) so latest follows releases only'
  ]
}

/** github-attestations for this run; where the default left them off, its line why. */
function attestationsOf(
  settings: Settings,
  ctx: RefContext,
  notices: string[]
): Pick<Publication, 'attestations' | 'remarks'> {
  const { build } = settings
  const { attestations, notice, remark } = decideAttestations(
    settings.githubAttestations,
    {
      mode: settings.mode,
      publishes:
        build.push && build.outputs.length === 0 && !evaluatesOnly(build.call),
      repository: ctx.repository.fullName,
      ground: ctx.attestationGround
    }
  )
  if (notice !== undefined) notices.push(notice)
  return {
    ...(attestations && { attestations }),
    ...(remark !== undefined && { remarks: [remark] })
  }
}

export function describePublication(
  settings: Settings,
  ctx: RefContext,
  now: Date,
  created: Date = now
): Publication {
  const pushed = settings.build.push ? settings.images.map(i => i.registry) : []
  // first: a push that needs an empty secret fails before anything else
  const notices = [
    ...emptySecrets(settings.emptyLogins, ctx.eventName, pushed),
    ...metadataDefaultsNotice(settings),
    ...undoneLatest(settings)
  ]
  const attested = attestationsOf(settings, ctx, notices)
  const { version, tags, warnings } =
    settings.mode === 'rollback'
      ? rollbackTags(settings)
      : settings.mode === 'gate'
        ? NO_TAGS
        : computeTags(ctx, settings, now)
  const refs = settings.images.flatMap(image =>
    tags.map(tag => `${image.name}:${tag.name}`)
  )
  const env = createEnv(ctx, now)
  const values = { version, tags: refs[0] ?? '' }
  const oci = ociLabels(ctx, version, created)
  const expand = (input: 'labels' | 'annotations', lines: string[]) =>
    mergeKeyValues(oci, expandLines(lines, input, env, values), input)
  // last: no labels line can make a pull request's image look like a push's
  const labels = {
    ...expand('labels', settings.labels),
    ...pullRequestLabel(ctx)
  }
  const annotations = expand('annotations', settings.annotations)
  // the handover through job outputs calls no service and sets no tag
  const legs = settings.handover ? undefined : legRunOf(ctx)
  const handsOver = settings.mode === 'digest' || settings.mode === 'merge'
  if (!settings.build.push) notices.push(...notPushed(settings))
  else if (handsOver && legs === undefined && !settings.handover)
    notices.push(TAG_HANDOVER_NOTICE)
  return {
    version,
    tags,
    images: settings.images,
    refs,
    labels,
    annotations,
    buildArgs: expandLines(settings.build.buildArgs, 'build-args', env, values),
    warnings,
    notices,
    buildId: ctx.runId ?? ctx.sha.slice(0, 12),
    ...(legs && { legs }),
    sourceDateEpoch: Math.floor(created.getTime() / 1000),
    ...(ctx.annotationLevels && { annotationLevels: ctx.annotationLevels }),
    ...(ctx.workflowRun && { workflowRun: ctx.workflowRun }),
    cacheSources: cacheSources(settings, ctx, tags, now),
    ...attested
  }
}
