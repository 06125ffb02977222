import * as core from '@actions/core'
import { createDockerRunner } from '../docker/runner.js'
import { dockerVersions } from '../docker/versions.js'

/** Debug lines with the node, docker and buildx versions (main loads this only when debugging). */
export async function debugVersions(): Promise<void> {
  // the runner picks the node (action.yml's `using`), not the workflow
  core.debug(`node ${process.version}`)
  for (const line of await dockerVersions(createDockerRunner()))
    core.debug(line)
}
