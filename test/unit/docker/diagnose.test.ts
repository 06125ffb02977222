import { describe, expect, it } from '@jest/globals'
import {
  builderFailure,
  diagnose,
  lostBuilderFailure
} from '../../../src/docker/diagnose.js'
import { DockerCommandError } from '../../../src/docker/runner.js'

// Outputs as docker and buildx print them, and what the user is told.

const failed = (args: string[], output: string) =>
  new DockerCommandError(args, 1, output)

const PUSH = ['push', 'ghcr.io/o/app:1.2.3']
const LOGIN = [
  'login',
  '127.0.0.1:5001',
  '--username',
  'ci',
  '--password-stdin'
]

const DAEMON_DOWN =
  'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?'
const CONNECT =
  'error during connect: Get "http://docker:2375/v1.47/version": dial tcp: lookup docker on 127.0.0.11:53: no such host'
const LOGIN_401 =
  'Error response from daemon: login attempt to http://127.0.0.1:5001/v2/ failed with status: 401 Unauthorized'
const DENIED = 'denied: permission_denied: write_package'
const REFUSED =
  'Get "http://127.0.0.1:5999/v2/": dial tcp 127.0.0.1:5999: connect: connection refused'

describe('diagnose: what the user is told', () => {
  it.each([
    {
      name: 'daemon down',
      error: failed(PUSH, DAEMON_DOWN),
      registries: ['ghcr.io'],
      message: `the Docker daemon is not reachable (${DAEMON_DOWN}): start dockerd or set DOCKER_HOST`
    },
    {
      name: 'error during connect (DOCKER_HOST unreachable)',
      error: failed(['version'], CONNECT),
      registries: [],
      message: `the Docker daemon is not reachable (${CONNECT}): start dockerd or set DOCKER_HOST`
    },
    {
      name: 'login 401, the one registry of the command',
      error: failed(LOGIN, LOGIN_401),
      registries: ['127.0.0.1:5001'],
      message: `registry 127.0.0.1:5001 refused the credentials: wrong username or password (${LOGIN_401})`
    },
    {
      name: 'login 401, the registry found in the output among several',
      error: failed(LOGIN, LOGIN_401),
      registries: ['ghcr.io', '127.0.0.1:5001'],
      message: `registry 127.0.0.1:5001 refused the credentials: wrong username or password (${LOGIN_401})`
    },
    {
      name: 'login 401, no registry known: the one its line names',
      error: failed(LOGIN, LOGIN_401),
      registries: [],
      message: `registry 127.0.0.1:5001 refused the credentials: wrong username or password (${LOGIN_401})`
    },
    {
      name: 'login 401 without a URL, no registry known',
      error: failed(LOGIN, 'unauthorized: incorrect username or password'),
      registries: [],
      message:
        'the registry refused the credentials: wrong username or password (unauthorized: incorrect username or password)'
    },
    {
      name: 'an SBOM scanner image on an unreachable Docker Hub: Docker Hub is named, not the push registry',
      error: failed(
        ['buildx', 'build', '--sbom=true', '.'],
        'ERROR: failed to solve: docker/buildkit-syft-scanner:stable-1: failed to resolve source metadata for docker.io/docker/buildkit-syft-scanner:stable-1: failed to do request: Head "https://registry-1.docker.io/v2/docker/buildkit-syft-scanner/manifests/stable-1": dial tcp: lookup registry-1.docker.io on 127.0.0.53:53: no such host'
      ),
      registries: ['localhost:5000'],
      message:
        'registry registry-1.docker.io is unreachable (ERROR: failed to solve: docker/buildkit-syft-scanner:stable-1: failed to resolve source metadata for docker.io/docker/buildkit-syft-scanner:stable-1: failed to do request: Head "https://registry-1.docker.io/v2/docker/buildkit-syft-scanner/manifests/stable-1": dial tcp: lookup registry-1.docker.io on 127.0.0.53:53: no such host)'
    },
    {
      name: 'push 401 in the middle of the output: the line that says it',
      error: failed(
        PUSH,
        'The push refers to repository [ghcr.io/o/app]\n5f70bf18a086: Preparing\nunauthorized: authentication required\n'
      ),
      registries: ['ghcr.io'],
      message:
        'registry ghcr.io refused the credentials: wrong username or password (unauthorized: authentication required)'
    },
    {
      name: 'push denied (403)',
      error: failed(
        PUSH,
        `The push refers to repository [ghcr.io/o/app]\n${DENIED}`
      ),
      registries: ['ghcr.io'],
      message: `registry ghcr.io denied access: the user may not push there (${DENIED})`
    },
    {
      name: "buildx push refused for the token's scope: the permission, with GHCR's way out",
      error: failed(
        ['buildx', 'build', '.'],
        'ERROR: failed to push ghcr.io/o/app: failed to authorize: unexpected status from POST request to https://ghcr.io/v2/o/app/blobs/uploads/: 401 Unauthorized: insufficient_scope: authorization failed'
      ),
      registries: ['ghcr.io'],
      message:
        'registry ghcr.io: the user may not push to repository o/app: the login works, the permission is missing (insufficient_scope); give the job `permissions: packages: write` (and the package access to this repository) (ERROR: failed to push ghcr.io/o/app: failed to authorize: unexpected status from POST request to https://ghcr.io/v2/o/app/blobs/uploads/: 401 Unauthorized: insufficient_scope: authorization failed)'
    },
    {
      name: 'buildx push 403 Forbidden: the registry its line names',
      error: failed(
        ['buildx', 'build', '.'],
        'ERROR: failed to push ghcr.io/o/app:1.2.3: unexpected status from POST request to https://ghcr.io/v2/o/app/blobs/uploads/: 403 Forbidden'
      ),
      registries: ['docker.io', 'quay.io'],
      message:
        'registry ghcr.io denied access: the user may not push there (ERROR: failed to push ghcr.io/o/app:1.2.3: unexpected status from POST request to https://ghcr.io/v2/o/app/blobs/uploads/: 403 Forbidden)'
    },
    {
      name: 'a private Git context fetched without a token: the Git context, not a registry',
      error: failed(
        ['buildx', 'build', 'http://127.0.0.1:5006/o/r.git#2c7a558'],
        "#1 0.220 fatal: could not read Username for 'http://127.0.0.1:5006': terminal prompts disabled\n#1 ERROR: failed to fetch remote http://127.0.0.1:5006/o/r.git: git error: exit status 128\n"
      ),
      registries: ['127.0.0.1:5001'],
      message:
        "the build could not fetch its Git context http://127.0.0.1:5006/o/r.git (fatal: could not read Username for 'http://127.0.0.1:5006': terminal prompts disabled): a private repository needs github-token (the default, the workflow's token, needs contents: read); or check out the repository and set context: ."
    },
    {
      name: 'a Git server that refuses the connection: the Git context, not a registry',
      error: failed(
        ['buildx', 'build', 'git://127.0.0.1:5999/o/r.git'],
        '#1 0.011 fatal: unable to connect to 127.0.0.1:\n#1 0.011 127.0.0.1[0: 127.0.0.1]: errno=Connection refused\nERROR: failed to solve: error fetching default branch for repository git://127.0.0.1:5999/o/r.git: git error: exit status 128\n'
      ),
      registries: ['127.0.0.1:5001'],
      message:
        "the build could not fetch its Git context git://127.0.0.1:5999/o/r.git (fatal: unable to connect to 127.0.0.1:): a private repository needs github-token (the default, the workflow's token, needs contents: read); or check out the repository and set context: ."
    },
    {
      name: 'registry down: connection refused',
      error: failed(['push', '127.0.0.1:5999/app:1'], REFUSED),
      registries: ['ghcr.io', '127.0.0.1:5999'],
      message: `registry 127.0.0.1:5999 is unreachable (${REFUSED})`
    }
  ])('$name', ({ error, registries, message }) => {
    const diagnosed = diagnose(error, registries)
    expect(diagnosed).toBeInstanceOf(Error)
    expect(diagnosed).toMatchObject({ message, cause: error })
  })
})

const FROM_401 =
  'ERROR: failed to solve: 127.0.0.1:5002/priv/base:1: failed to resolve source metadata for 127.0.0.1:5002/priv/base:1: unexpected status from HEAD request to http://127.0.0.1:5002/v2/priv/base/manifests/1: 401 Unauthorized'
const BUILD = ['buildx', 'build', '--push', '.']

describe('diagnose: a 401 says wrong password only where a login was made', () => {
  it.each([
    {
      name: 'a private FROM on a registry the run has no login for',
      offered: { loggedIn: ['127.0.0.1:5001'], emptyPassword: [] },
      never: /wrong/,
      says: /^registry 127.0.0.1:5002 asked for credentials and this run has no login for it: give username and password \(or a logins entry\) for 127.0.0.1:5002/
    },
    {
      name: 'a private FROM whose login was skipped for its empty password',
      offered: { loggedIn: [], emptyPassword: ['127.0.0.1:5002'] },
      never: /wrong/,
      says: /^registry 127.0.0.1:5002 asked for credentials and none were offered: its login was skipped because the password was empty/
    },
    {
      name: 'a private FROM on a registry the run logged in to',
      offered: { loggedIn: ['http://127.0.0.1:5002/'], emptyPassword: [] },
      never: /asked for credentials/,
      says: /^registry 127.0.0.1:5002 refused the credentials: wrong username or password/
    }
  ])('$name', ({ offered, says, never }) => {
    const diagnosed = diagnose(
      failed(BUILD, FROM_401),
      ['127.0.0.1:5001'],
      offered
    )
    expect(diagnosed).toMatchObject({ message: expect.stringMatching(says) })
    expect((diagnosed as Error).message).not.toMatch(never)
  })
})

describe('diagnose: errors it cannot explain come back unchanged', () => {
  it.each([
    {
      name: 'a failing Dockerfile step',
      error: failed(
        ['buildx', 'build', '.'],
        '#5 [2/2] RUN exit 3\n#5 ERROR: process "/bin/sh -c exit 3" did not complete successfully: exit code: 3\nERROR: failed to solve: process "/bin/sh -c exit 3" did not complete successfully: exit code: 3'
      )
    },
    {
      name: 'a docker error with no output',
      error: failed(PUSH, '')
    },
    { name: 'not a docker command error', error: new Error('ENOSPC') },
    { name: 'a thrown string', error: 'boom' }
  ])('$name', ({ error }) => {
    expect(diagnose(error, ['ghcr.io'])).toBe(error)
  })
})

describe("builderFailure: the run's own builder that did not start", () => {
  const bootstrap = ['buildx', 'create', '--bootstrap', '--name', 'run1']
  it.each([
    {
      name: 'a throttled pull of its image: the registry throttles, and the login that helps',
      endpoint: undefined,
      output:
        '#1 [internal] booting buildkit\nERROR: Error response from daemon: toomanyrequests: You have reached your pull rate limit.',
      said: /its registry throttles the pulls \(.*toomanyrequests: You have reached your pull rate limit\.\); give a login for it \(Docker Hub's: a logins entry for docker\.io/
    },
    {
      name: 'a remote endpoint where nothing answers: the endpoint input',
      endpoint: 'tcp://127.0.0.1:1234',
      output: 'ERROR: dial tcp 127.0.0.1:1234: connect: connection refused',
      said: /input "endpoint": invalid value "tcp:\/\/127\.0\.0\.1:1234": no BuildKit daemon answers there/
    }
  ])('$name', ({ endpoint, output, said }) => {
    const error = builderFailure(
      new DockerCommandError(bootstrap, 1, output),
      endpoint
    )
    expect(error instanceof Error ? error.message : error).toMatch(said)
  })

  it('another failure of a docker-container builder comes back unchanged', () => {
    const error = new DockerCommandError(
      bootstrap,
      1,
      'ERROR: no space left on device'
    )
    expect(builderFailure(error, undefined)).toBe(error)
  })
})

describe('lostBuilderFailure: a builder that went away during the build is named', () => {
  const failedBuild = (output: string) =>
    new DockerCommandError(['buildx', 'build'], 1, output, '')
  it.each([
    {
      name: 'a remote BuildKit killed mid-RUN',
      output:
        'ERROR: failed to receive status: rpc error: code = Unavailable desc = error reading from server: EOF',
      builder: { name: 'dpa-run-1', endpoint: 'tcp://10.0.0.5:1234' },
      says: /^the builder dpa-run-1 \(endpoint tcp:\/\/10\.0\.0\.5:1234\) stopped answering during the build \(.*EOF\): check that its BuildKit daemon runs .* then re-run the job$/
    },
    {
      name: 'a node of two, waited for on the retry',
      output:
        '#1 [internal] waiting for connection\n#1 ERROR: context deadline exceeded',
      builder: { name: 'fleet', platform: 'linux/arm64' },
      says: /^the builder fleet \(its node for linux\/arm64\) stopped answering/
    }
  ])('$name', ({ output, builder, says }) => {
    const error = lostBuilderFailure(failedBuild(output), builder)
    expect((error as Error).message).toMatch(says)
  })

  it.each([
    {
      name: 'a RUN that failed',
      output: 'ERROR: process "/bin/sh -c false" did not complete successfully'
    },
    {
      name: 'a registry refusing the push',
      output: 'ERROR: failed to push: 401 Unauthorized'
    }
  ])('not $name', ({ output }) => {
    const error = failedBuild(output)
    expect(lostBuilderFailure(error, { name: 'b' })).toBe(error)
  })
})
