/**
 * A BuildKit daemon of a test's own: the stack's compiled buildkitd (scripts/stack/lib/buildkit.sh
 * keeps it in /var/tmp/dpa-buildkit/bin) with the field's runc, for faults the shared daemons
 * must not see (killed, frozen, restarted). It listens on a unix socket and, given TLS material, on
 * tcp://127.0.0.1:<a free port> with mTLS; the stack's registries are plain http to it. Its
 * root, socket, config and log live in one folder. A killed buildkitd leaves its RUN's container
 * running and its mounts in place: stop() ends the daemon, deletes those containers (runc, by
 * their bundle under the root), unmounts what is left and removes the folder.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import {
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BuildkitPki } from './buildkit-pki.js'
import { stackEnv } from './stack-env.js'

/** scripts/stack/lib/buildkit.sh's BUILDKIT_BIN_DIR. */
const BIN = '/var/tmp/dpa-buildkit/bin'

export interface PrivateBuildkitd {
  /** unix://<folder>/buildkitd.sock */
  sock: string
  /** tcp://127.0.0.1:<port> (mTLS), when started with TLS material. */
  tcp: string
  /** SIGKILL, as a crash or the OOM killer does it; its RUN containers live on. */
  kill(): Promise<void>
  /** SIGSTOP: a daemon that hangs, its connections open and never answered. */
  freeze(): void
  /** Starts it again on the same root, socket and port, and waits until it answers. */
  start(): Promise<void>
  /** Ends it and removes everything it made. */
  stop(): Promise<void>
}

/** A TCP port nothing listens on now (the kernel's pick). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

function config(dir: string, tcp: string, pki?: BuildkitPki): string {
  const stack = stackEnv()
  const registries = [stack.a.host, stack.b.host, stack.t.host]
  const addresses = [`"unix://${join(dir, 'buildkitd.sock')}"`]
  if (pki !== undefined) addresses.push(`"${tcp}"`)
  return [
    `root = "${join(dir, 'root')}"`,
    '[grpc]',
    `  address = [${addresses.join(', ')}]`,
    ...(pki === undefined
      ? []
      : [
          '  [grpc.tls]',
          `    cert = "${pki.serverCert}"`,
          `    key = "${pki.serverKey}"`,
          `    ca = "${pki.ca}"`
        ]),
    '[worker.oci]',
    '  enabled = true',
    `  binary = "${join(stack.field.root, 'usr/sbin/runc')}"`,
    '  snapshotter = "auto"',
    '  gc = false',
    '[worker.containerd]',
    '  enabled = false',
    ...registries.flatMap(host => [`[registry."${host}"]`, '  http = true']),
    ''
  ].join('\n')
}

function answers(sock: string): boolean {
  try {
    execFileSync(join(BIN, 'buildctl'), ['--addr', sock, 'debug', 'workers'], {
      stdio: 'ignore',
      timeout: 5_000
    })
    return true
  } catch {
    return false
  }
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true)
  return new Promise(resolve => {
    const timer = setTimeout(() => resolve(false), ms)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve(true)
    })
  })
}

/** The containers runc runs from bundles under `root` (a killed buildkitd's RUNs). */
function deleteContainers(root: string): void {
  const runc = join(stackEnv().field.root, 'usr/sbin/runc')
  const listed = execFileSync(runc, ['list', '--format', 'json'], {
    encoding: 'utf8'
  })
  const containers = (JSON.parse(listed || 'null') ?? []) as {
    id: string
    bundle: string
  }[]
  for (const { id, bundle } of containers)
    if (bundle.startsWith(`${root}/`))
      execFileSync(runc, ['delete', '--force', id], { stdio: 'ignore' })
}

/** Unmounts whatever is mounted under `dir`, deepest first. */
function unmountUnder(dir: string): void {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map(line => line.split(' ')[4] ?? '')
    .filter(point => point.startsWith(`${dir}/`))
    .sort()
    .reverse()
  for (const point of mounts)
    execFileSync('umount', ['--lazy', point], { stdio: 'ignore' })
}

/** Starts a buildkitd of the test's own; with `pki`, on tcp with mTLS too. */
export async function startPrivateBuildkitd(
  pki?: BuildkitPki
): Promise<PrivateBuildkitd> {
  for (const binary of ['buildkitd', 'buildctl'])
    if (!existsSync(join(BIN, binary)))
      throw new Error(
        `stack.sh up did not compile BuildKit: no ${BIN}/${binary}`
      )
  const dir = mkdtempSync(join(tmpdir(), 'dpa-buildkitd-'))
  const sock = `unix://${join(dir, 'buildkitd.sock')}`
  const tcp = `tcp://127.0.0.1:${await freePort()}`
  const toml = join(dir, 'buildkitd.toml')
  writeFileSync(toml, config(dir, tcp, pki))
  let child: ChildProcess | undefined

  const start = async () => {
    const log = openSync(join(dir, 'buildkitd.log'), 'a')
    const started = spawn(join(BIN, 'buildkitd'), ['--config', toml], {
      stdio: ['ignore', log, log],
      detached: true
    })
    child = started
    const deadline = Date.now() + 30_000
    while (!answers(sock)) {
      if (exited(started) || Date.now() > deadline)
        throw new Error(
          `the private buildkitd did not come up on ${sock}:\n` +
            readFileSync(join(dir, 'buildkitd.log'), 'utf8').slice(-2000)
        )
      await new Promise(resolve => setTimeout(resolve, 100))
    }
  }

  const kill = async () => {
    if (child === undefined || exited(child)) return
    child.kill('SIGKILL')
    await waitExit(child, 10_000)
  }

  const freeze = () => {
    if (child !== undefined && !exited(child)) child.kill('SIGSTOP')
  }

  const stop = async () => {
    if (child !== undefined && !exited(child)) {
      child.kill('SIGCONT')
      child.kill('SIGTERM')
      if (!(await waitExit(child, 10_000))) await kill()
    }
    deleteContainers(join(dir, 'root'))
    unmountUnder(dir)
    rmSync(dir, { recursive: true, force: true })
  }

  try {
    await start()
  } catch (error) {
    await stop()
    throw error
  }
  return { sock, tcp: pki === undefined ? '' : tcp, kill, freeze, start, stop }
}
