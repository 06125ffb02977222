/**
 * The `--attest` values, as build-push-action's getAttestArgs: provenance and
 * sbom win over attests lines of their type ("duplicate attestation field").
 */
import { isAttestType, type BuildSettings } from '../settings/build-settings.js'

type AttestSettings = Pick<
  BuildSettings,
  'provenance' | 'sbom' | 'attests' | 'defaultProvenance' | 'builderId'
>

// split at every comma, quotes kept: boolFields joins the fields back as the user wrote them
function fields(line: string): string[] {
  return line.split(',').map(field => field.trim())
}

/** buildx reads a bare true/false field of an attestation as disabled=…. */
function boolFields(line: string): string {
  return fields(line)
    .filter(field => field !== '')
    .map(field =>
      /^(true|false)$/i.test(field)
        ? `disabled=${field.toLowerCase() === 'false'}`
        : field
    )
    .join(',')
}

/** Provenance names the workflow run that built it, unless the user named one. */
function withBuilderId(line: string, builderId: string | undefined): string {
  if (builderId === undefined) return line
  if (fields(line).some(field => field.startsWith('builder-id='))) return line
  return `${line},builder-id=${builderId}`
}

function provenanceLine(value: string, builderId?: string): string {
  if (value === 'false') return 'type=provenance,disabled=true'
  if (value === 'true')
    return builderId === undefined
      ? 'type=provenance,disabled=false'
      : `type=provenance,builder-id=${builderId}`
  return withBuilderId(`type=provenance,${boolFields(value)}`, builderId)
}

/** The `--attest` values, in build-push-action's order: provenance, sbom, attests. */
export function attestValues(build: AttestSettings): string[] {
  const { provenance, sbom, attests, builderId } = build
  const lines: string[] = []
  if (provenance !== undefined)
    lines.push(provenanceLine(provenance, builderId))
  else if (
    build.defaultProvenance !== undefined &&
    !attests.some(line => isAttestType(line, 'provenance'))
  )
    lines.push(
      withBuilderId(`type=provenance,${build.defaultProvenance}`, builderId)
    )
  if (sbom !== undefined) lines.push(`type=sbom,${boolFields(sbom)}`)
  for (const line of attests) {
    if (isAttestType(line, 'provenance')) {
      if (provenance === undefined)
        lines.push(withBuilderId(boolFields(line), builderId))
    } else if (isAttestType(line, 'sbom')) {
      if (sbom === undefined) lines.push(line)
    } else lines.push(boolFields(line))
  }
  return lines
}
