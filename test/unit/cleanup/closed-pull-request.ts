import type { RefContext } from '../../../src/context/context-types.js'

/** The run a closed pull request starts: #7 from feature/login into main of acme/webapp. */
export const CLOSED_PR: RefContext = {
  eventName: 'pull_request',
  ref: 'refs/pull/7/merge',
  sha: '860c1904a1ce19322e91ac35af1ab07466440c37',
  prNumber: 7,
  prHeadRef: 'feature/login',
  baseRef: 'main',
  defaultBranches: ['main'],
  repository: {
    fullName: 'acme/webapp',
    htmlUrl: 'https://github.com/acme/webapp'
  }
}
