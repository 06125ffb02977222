/**
 * buildx's progress, read once into events: the one reader of its text (the watches, the failed
 * vertices, the diagnosis and the cache report read the events, never the lines).
 *
 * It reads the plain form (`#6 [deps 1/2] FROM …`, `#6 DONE 0.2s`), which every buildx prints
 * (0.13 to 0.36 replay in test/unit/buildx/progress-replay.test.ts). buildx >= 0.15 also has
 * `--progress=rawjson`, one JSON status per line, simpler to read; it is not used: the action
 * passes no `--progress` (the user's log shows buildx's own plain progress, and argv stays as it
 * is) and the stack's buildx 0.13 has no rawjson. The replay test reads the rawjson recordings as
 * its reference of what each build did.
 */

/**
 * What a line of buildx's output tells, the first row that matches: its vertex (`#6` is '6'; ''
 * for a line of no vertex), its name (the line after its vertex: its header, a status, a log line;
 * a transfer's layer; an error's message) and what it reads.
 */
const LINES = [
  // the vertex's end
  ['done', /^#(\d+) ()DONE\b/],
  ['cached', /^#(\d+) ()CACHED\b/],
  ['canceled', /^#(\d+) ()CANCELED\b/],
  ['error', /^#(\d+) ERROR: (.*)/],
  // a layer on its way and its bytes moved (`1.2M`): `sha256:… 1.2MB / 33.6MB 0.2s`, till `done`
  [
    'transfer',
    /^#(\d+) (sha256:[0-9a-f]+) ([\d.]+\w?)B \/ [\d.]+\w*B(?: [\d.]+s)?( done)?$/
  ],
  // a base image resolved (`[linux/arm64 internal]` per platform), and the image
  ['resolve', /^#(\d+) (\[(?:\S+ )?internal\] load metadata for (\S+).*)/],
  // a Dockerfile step: `[stage-1 2/3] COPY …`
  ['step', /^#(\d+) (\[[^\]]*\d+\/\d+\] .*)/],
  ['cache-import', /^#(\d+) (importing cache manifest from (\S+).*)/],
  ['cache-export', /^#(\d+) (exporting cache.*)/],
  ['cache-gha-export', /^#(\d+) (exporting to GitHub Actions Cache.*)/],
  // the image's exporter (`exporting to image`, `… oci image format`) and the manifests it wrote
  ['image-export', /^#(\d+) (exporting to (?:image|oci image format)\b.*)/],
  [
    'manifest-list',
    /^#(\d+) (exporting manifest list (sha256:[0-9a-f]{64}).*)/
  ],
  ['manifest', /^#(\d+) (exporting manifest (sha256:[0-9a-f]{64}).*)/],
  // the push phase: `pushing layers`, `pushing manifest for …`
  ['push', /^#(\d+) (pushing .*)/],
  // another line of a vertex: its header, a status
  ['status', /^#(\d+) (.*)/],
  // buildx's own last word, the whole line
  ['failure', /^()(ERROR:.*)/]
] as const

/** A line's kind; `output`: no vertex's line (a Dockerfile excerpt, docker's own output). */
export type ProgressKind = (typeof LINES)[number][0] | 'output'

export interface ProgressEvent {
  vertex: string
  kind: ProgressKind
  name: string
  /** A resolve's image, a cache import's source, a transfer's bytes moved (`65.83k`). */
  ref?: string
  /** A transfer's last line. */
  done?: boolean
}

/** One line of buildx's output as an event. */
export function progressEvent(line: string): ProgressEvent {
  for (const [kind, pattern] of LINES) {
    const [, vertex, name, ref, done] = pattern.exec(line) ?? []
    if (name !== undefined)
      return { vertex, kind, name, ref, done: done !== undefined }
  }
  return { vertex: '', kind: 'output', name: line }
}

/** buildx's output read into events, line by line. */
export const readProgress = (output: string): ProgressEvent[] =>
  output.split('\n').map(progressEvent)

/**
 * The image's digest once BuildKit has exported it (its exporter's vertex DONE): the manifest
 * list it wrote, else its one manifest; undefined before, for a build of no or several image
 * exporters, or where the digest is not told.
 */
export function exportedRoot(events: ProgressEvent[]): string | undefined {
  const exporters = new Set(
    events.filter(e => e.kind === 'image-export').map(e => e.vertex)
  )
  const [vertex] = exporters
  if (exporters.size !== 1) return undefined
  const of = (kind: ProgressKind) =>
    new Set(
      events
        .filter(e => e.vertex === vertex && e.kind === kind)
        .map(e => e.ref ?? '')
    )
  if (!events.some(e => e.vertex === vertex && e.kind === 'done'))
    return undefined
  const lists = of('manifest-list')
  const manifests = of('manifest')
  const [root] = lists.size > 0 ? lists : manifests
  return lists.size > 1 || (lists.size === 0 && manifests.size !== 1)
    ? undefined
    : root
}

/** Reads a build's events as they come: `root` resolves once its image is exported. */
export function exportReader() {
  const events: ProgressEvent[] = []
  let found: (root: string) => void = () => undefined
  const root = new Promise<string>(resolve => (found = resolve))
  const read = (event: ProgressEvent) => {
    events.push(event)
    const exported = event.kind === 'done' && exportedRoot(events)
    if (exported) found(exported)
  }
  return { root, read }
}

const ENDS = new Set<ProgressKind>(['done', 'cached', 'error', 'canceled'])

/**
 * What events of `kinds` opened, still open after `events`: their vertices (a transfer: its layer,
 * till its `done` line), each with what it reads, else its name; a vertex's end ends them all.
 * `open` carries them on from earlier events.
 */
export function openVertices(
  events: ProgressEvent[],
  kinds: ProgressKind[],
  open = new Map<string, string>()
): Map<string, string> {
  for (const { vertex, kind, name, ref, done } of events) {
    // `6 ` a vertex, `6 sha256:…` a layer of its
    const key = `${vertex} ${kind === 'transfer' ? name : ''}`
    if (kinds.includes(kind))
      if (done === true) open.delete(key)
      else open.set(key, ref ?? name)
    if (ENDS.has(kind))
      for (const key of open.keys())
        if (key.startsWith(`${vertex} `)) open.delete(key)
  }
  return open
}

/**
 * The vertices that failed, in order: each its error as BuildKit printed it, and where it is one of
 * the cache's own, that vertex's event.
 */
export function failedVertices(events: ProgressEvent[]) {
  const cache = new Map<string, ProgressEvent>()
  return events.flatMap(event => {
    if (event.kind.startsWith('cache-')) cache.set(event.vertex, event)
    return event.kind === 'error'
      ? [{ cache: cache.get(event.vertex), error: event.name }]
      : []
  })
}

const UNITS: Record<string, number> = { k: 1e3, K: 1e3, M: 1e6, G: 1e9 }

/** What a build's output tells of its cache: its steps, those cached, bytes pulled, sources. */
export function cacheOutcome(output: string) {
  const events = readProgress(output)
  const of = (kind: ProgressKind) => events.filter(event => event.kind === kind)
  const cached = new Set(of('cached').map(event => event.vertex))
  const steps = new Set(of('step').map(event => event.vertex))
  return {
    steps: steps.size,
    cached: [...steps].filter(step => cached.has(step)).length,
    bytes: of('transfer')
      .filter(event => event.done)
      .reduce(
        (sum, { ref = '' }) =>
          sum + parseFloat(ref) * (UNITS[ref.at(-1) ?? ''] ?? 1),
        0
      ),
    sources: [...new Set(of('cache-import').map(event => event.ref ?? ''))]
  }
}

/**
 * What the cache did, as the log says it: steps cached, layer bytes downloaded (the docker driver
 * downloads none), sources; undefined for a build of no Dockerfile step.
 */
export function cacheReport({
  steps,
  cached,
  bytes,
  sources
}: ReturnType<typeof cacheOutcome>): string | undefined {
  if (steps === 0) return undefined
  const from = sources.length > 0 ? `; from ${sources.join(', ')}` : ''
  const pulledText =
    bytes > 0 ? `; ${(bytes / 1e6).toFixed(1)} MB of layers downloaded` : ''
  return `Cache: ${cached} of ${steps} steps cached${pulledText}${from}`
}
