/** What this action needs from buildx's --metadata-file. */
export interface BuildMetadata {
  digest: string
  imageId: string
  raw: Record<string, unknown>
}

function stringAt(raw: Record<string, unknown>, key: string): string {
  const value = raw[key]
  return typeof value === 'string' ? value : ''
}

export function parseBuildMetadata(text: string): BuildMetadata {
  const raw = JSON.parse(text) as Record<string, unknown>
  const descriptor = raw['containerimage.descriptor'] as
    { digest?: string } | undefined
  return {
    // containerimage.digest is the pushed manifest (the index, multi-platform)
    digest:
      stringAt(raw, 'containerimage.digest') || (descriptor?.digest ?? ''),
    imageId: stringAt(raw, 'containerimage.config.digest'),
    raw
  }
}
