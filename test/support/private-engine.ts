/**
 * A Docker engine of a test's own (the stack's unpacked 28.5 or 29.4 dockerd, or Debian's 26.1; classic
 * store as on GitHub's runners, or the containerd store), for what the shared engines must not
 * see: an image store without the BuildKit image, names resolved to a stand-in, a BuildKit held up
 * by a hung registry read. It runs in a mount namespace of its own whose
 * /etc/hosts adds `hosts`, trusting the system's CAs and `extraCa` (Go reads SSL_CERT_FILE); the
 * machine's /etc/hosts and trust store are never touched. stop() ends it and removes its folders.
 */
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stackEnv } from './stack-env.js'
import { withHosts } from './with-hosts.js'

export interface PrivateEngine {
  /** DOCKER_HOST of the engine. */
  host: string
  /** Runs a command (the step) with the engine's /etc/hosts, as runMain's launcher. */
  launcher: string[]
  stop(): Promise<void>
}

const SYSTEM_ROOTS = '/etc/ssl/certs/ca-certificates.crt'

/** The free /24's choice and its claim, as one script: run under a lock of all test processes. */
const CLAIM_FREE_SUBNET = `
taken=$(ip -4 -o addr)
for n in $(seq 0 255); do
  case "$taken" in *" 172.30.$n."*) continue ;; esac
  ip link add name "$0" type bridge
  ip addr add "172.30.$n.1/24" dev "$0" || { ip link delete "$0"; exit 1; }
  exec ip link set dev "$0" up
done
echo 'no free /24 in 172.30.0.0/16' >&2
exit 1`

/**
 * A bridge of the engine's own, on a /24 of 172.30.0.0/16 no interface holds: engines of other
 * test processes (the e2e lanes) come and go beside it, and one's stop must not take another's
 * network, so no two may choose the same /24 at once.
 */
function makeBridge(name: string): void {
  execFileSync(
    'flock',
    [
      join(tmpdir(), 'dpa-private-bridge.lock'),
      'sh',
      '-ec',
      CLAIM_FREE_SUBNET,
      name
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] }
  )
}

function answers(docker: string, host: string): boolean {
  try {
    execFileSync(docker, ['-H', host, 'version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

type EngineVersion = '26.1' | '28.5' | '29.4'

/**
 * Where a version's dockerd is, and what it runs, first on PATH (29.4 runs with 28.5's containerd,
 * runc and docker-init, as the stack's), and its CLI.
 */
function engineFiles(version: EngineVersion) {
  const { field, field29 } = stackEnv()
  if (version === '26.1') return { roots: ['/'], docker: 'docker' }
  if (version === '28.5')
    return { roots: [field.root], docker: join(field.bin, 'docker') }
  if (field29 === undefined)
    throw new Error('stack.sh up runs no Docker 29: no ../shared/field29')
  return {
    roots: [field29.root, field.root],
    docker: join(field29.bin, 'docker')
  }
}

export async function startPrivateEngine(options: {
  hosts: Record<string, string>
  extraCa: string
  /** The containerd image store (Docker 29's default) in place of the classic one. */
  containerdStore?: boolean
  /** Which dockerd: the stack's 28.5 (the default) or 29.4, or the machine's own (Debian's 26.1). */
  version?: EngineVersion
}): Promise<PrivateEngine> {
  const dir = mkdtempSync(join(tmpdir(), 'dpa-engine-'))
  const name = `dpa-private-${dir.slice(-6).toLowerCase()}`
  // an interface name is at most 15 characters
  const bridge = `dpa-pe-${dir.slice(-6).toLowerCase()}`
  const host = `unix://${dir}/docker.sock`
  const extra = Object.entries(options.hosts)
    .map(([address, names]) => `${address} ${names}`)
    .join('\n')
  writeFileSync(
    join(dir, 'hosts'),
    `${readFileSync('/etc/hosts', 'utf8')}\n${extra}\n`
  )
  writeFileSync(
    join(dir, 'roots.pem'),
    readFileSync(SYSTEM_ROOTS, 'utf8') + readFileSync(options.extraCa, 'utf8')
  )
  writeFileSync(
    join(dir, 'daemon.json'),
    JSON.stringify({
      features: { 'containerd-snapshotter': options.containerdStore === true },
      hosts: [host],
      'data-root': join(dir, 'data'),
      'exec-root': join(dir, 'exec'),
      pidfile: join(dir, 'docker.pid'),
      bridge,
      iptables: false,
      ip6tables: false,
      'ip-masq': false,
      'containerd-namespace': name,
      'containerd-plugins-namespace': `${name}-plugins`
    })
  )
  makeBridge(bridge)
  const { roots, docker } = engineFiles(options.version ?? '28.5')
  const path = roots.flatMap(root =>
    ['usr/sbin', 'usr/bin', 'usr/libexec/docker'].map(sub => join(root, sub))
  )
  const [unshare, ...args] = withHosts(join(dir, 'hosts'))
  const dockerd = join(roots[0], 'usr/sbin/dockerd')
  const daemon = spawn(
    unshare,
    [...args, dockerd, '--config-file', join(dir, 'daemon.json')],
    {
      env: {
        ...process.env,
        PATH: `${path.join(':')}:${process.env.PATH ?? ''}`,
        SSL_CERT_FILE: join(dir, 'roots.pem')
      },
      stdio: ['ignore', 'ignore', 'ignore']
    }
  )
  const deadline = Date.now() + 60_000
  while (!answers(docker, host)) {
    if (daemon.exitCode !== null || Date.now() > deadline)
      throw new Error(`the private dockerd in ${dir} did not start`)
    await new Promise(resolve => setTimeout(resolve, 250))
  }
  return {
    host,
    launcher: withHosts(join(dir, 'hosts')),
    async stop() {
      const ended = new Promise(resolve => daemon.once('exit', resolve))
      daemon.kill('SIGTERM')
      await ended
      rmSync(dir, { recursive: true, force: true })
      execFileSync('ip', ['link', 'delete', bridge])
    }
  }
}
