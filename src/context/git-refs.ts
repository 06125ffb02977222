/** How a git ref is read: the one copy of its prefixes and pull request forms. */

export const BRANCH_PREFIX = 'refs/heads/'
export const TAG_PREFIX = 'refs/tags/'
export const PULL_PREFIX = 'refs/pull/'

const PR_EVENTS = new Set(['pull_request', 'pull_request_target'])
const PR_REF = /^refs\/pull\/([0-9]+)\//

/** Events whose run is a pull request's, whatever its ref says. */
export function isPullRequestEvent(eventName: string): boolean {
  return PR_EVENTS.has(eventName)
}

/** Events whose payload describes a pull request: pull_request* (pull_request_review, …). */
export function hasPullRequestPayload(eventName: string): boolean {
  return eventName.startsWith('pull_request')
}

/** The number a refs/pull/<N>/merge or refs/pull/<N>/head ref names, if any. */
export function pullNumberOfRef(ref: string): string | undefined {
  return PR_REF.exec(ref)?.[1]
}

/** The branch a refs/heads/<branch> ref names, if it is one. */
export function branchOf(ref: string): string | undefined {
  return ref.startsWith(BRANCH_PREFIX)
    ? ref.slice(BRANCH_PREFIX.length)
    : undefined
}

/** Drops a leading refs/heads/ (payloads and inputs give branches either way). */
export function shortBranch(ref: string): string {
  return branchOf(ref) ?? ref
}
