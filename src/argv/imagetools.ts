/** argv for `imagetools create`: the sources (name@digest) joined under the targets. */
export function imagetoolsCreateArgs(
  targets: string[],
  sources: string[],
  dryRun = false
): string[] {
  return [
    'buildx',
    'imagetools',
    'create',
    ...(dryRun ? ['--dry-run'] : []),
    ...targets.flatMap(target => ['--tag', target]),
    ...sources
  ]
}
