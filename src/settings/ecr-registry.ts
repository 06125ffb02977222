/**
 * Amazon ECR's registry names, recognised as docker/login-action does (its src/aws.ts):
 * `<account>.dkr.ecr.<region>.amazonaws.com`, the dual-stack `<account>.dkr-ecr.<region>.on.aws`,
 * China's `.amazonaws.com.cn`, the EU sovereign cloud's `.amazonaws.eu`, FIPS's `dkr.ecr-fips`,
 * and ECR Public (`public.ecr.aws`, dual-stack `ecr-public.aws.com`). Pure.
 */
import { registryName } from '../reference/repository.js'

/** An ECR registry: private (its account and region from the name) or ECR Public. */
export type EcrRegistry =
  { kind: 'private'; account: string; region: string } | { kind: 'public' }

// a port is allowed (ECR's own names have none; a local front in tests has one)
const PRIVATE =
  /^([0-9]{12})\.dkr[.-]ecr(?:-fips)?\.([a-z0-9-]+)\.(?:amazonaws\.(?:com(?:\.cn)?|eu)|on\.aws)(?::[0-9]+)?$/i
const PUBLIC = /^(?:public\.ecr\.aws|ecr-public\.aws\.com)(?::[0-9]+)?$/i

/** The ECR registry a name is, or undefined for any other registry. */
export function ecrRegistry(registry: string): EcrRegistry | undefined {
  // the host[:port], as docker login takes a registry (a URL's scheme and path dropped)
  const host = registryName(registry)
  if (PUBLIC.test(host)) return { kind: 'public' }
  const match = PRIVATE.exec(host)
  return match === null
    ? undefined
    : { kind: 'private', account: match[1], region: match[2].toLowerCase() }
}
