import * as core from '@actions/core'
import { createDockerRunner } from '../docker/runner.js'
import { dockerVersions } from '../docker/versions.js'

/** Debug lines with the docker and buildx versions (main loads this only when debugging). */
export async function debugDockerVersions(): Promise<void> {
  for (const line of await dockerVersions(createDockerRunner()))
    core.debug(line)
}
