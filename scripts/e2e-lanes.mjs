// Runs the e2e suite in three lanes at once (`npm run test:e2e`), each one jest in band. The
// serial lane: the files that use what only one file at a time may (the 29.4 containerd engine's
// BuildKit, which two of them hold on purpose with a hung registry read while every build on that
// engine waits; the kernel's binfmt handlers; a fixed port). The fault lane: the fault suites,
// which mostly wait out hang bounds on engines, BuildKits and proxies of their own. The third
// lane: every other file, none of which holds, restarts or prunes what another shares
// (docs/development.md). The stack comes up first (scripts/stack/stack.sh up). With
// `--with-checks` (what `npm run test:all` runs), the static checks start before it, since they
// need only node_modules: on a fresh machine they take the CPU the stack's downloads and unpacking
// leave; the unit tests run beside the lanes. Extra jest arguments (a file, `-t`) run one jest in
// band as before, without lanes. Each lane's time is printed at the end.
import { Buffer } from 'node:buffer'
import { spawn } from 'node:child_process'

/** Files that build on the 29.4 containerd engine, install binfmt handlers or take a fixed port. */
const SERIAL = [
  'test/e2e/matrix.test.ts',
  'test/e2e/cache-quota.test.ts',
  'test/e2e/warm-cache.test.ts',
  'test/e2e/cache-auto.test.ts',
  'test/e2e/cache-service.test.ts',
  'test/e2e/gate.test.ts',
  'test/e2e/hung-registry-dockerd.test.ts',
  'test/e2e/commit-cache.test.ts',
  'test/e2e/call-check.test.ts',
  'test/e2e/emulation.test.ts',
  'test/e2e/buildkit-pull.test.ts'
]

/** The fault suites: see each file's header comment. */
const FAULTS = [
  'test/e2e/hung-registry.test.ts',
  'test/e2e/soak.test.ts',
  'test/e2e/builder-faults.test.ts',
  'test/e2e/faults.test.ts'
]

/** Read-only checks: none writes dist/, which the e2e runs execute; none needs the stack. */
const STATIC_CHECKS = ['format:check', 'lint', 'typecheck']

const JEST = [
  '--experimental-vm-modules',
  'node_modules/jest/bin/jest.js',
  '--selectProjects',
  'e2e',
  '--runInBand'
]

function run(command, args, stdio) {
  const child = spawn(command, args, { stdio })
  return {
    child,
    code: new Promise(resolve => child.on('close', code => resolve(code ?? 1)))
  }
}

const [first, ...rest] = process.argv.slice(2)
const withChecks = first === '--with-checks'
const extra = withChecks ? rest : process.argv.slice(2)
const stackUp = () =>
  run('bash', ['scripts/stack/stack.sh', 'up'], 'inherit').code
if (extra.length > 0) {
  const up = await stackUp()
  if (up !== 0) process.exit(up)
  process.exit(await run(process.execPath, [...JEST, ...extra], 'inherit').code)
}

/**
 * A lane whose output is held and printed whole after the serial lane's, not interleaved: its
 * commands in order, stopping at the first that fails, named by `failed` where there are several.
 */
function heldLane(name, commands) {
  const held = [Buffer.from(`\n== ${name}\n`)]
  const started = Date.now()
  const done = (async () => {
    for (const { command, args, failed = name } of commands) {
      const { child, code } = run(command, args, ['ignore', 'pipe', 'pipe'])
      child.stdout.on('data', chunk => held.push(chunk))
      child.stderr.on('data', chunk => held.push(chunk))
      if ((await code) !== 0) return ended(failed, await code, started)
    }
    return ended(name, 0, started)
  })()
  return { held, done }
}

/** A lane's end, with its time since `started`. */
function ended(name, code, started) {
  return { name, code, s: Math.round((Date.now() - started) / 1000) }
}

const jestOn = files => [
  { command: process.execPath, args: [...JEST, ...files] }
]
const npmRun = scripts =>
  scripts.map(script => ({
    command: 'npm',
    args: ['run', script],
    failed: `npm run ${script}`
  }))

const staticChecks = withChecks
  ? [
      heldLane(
        `the static checks (${STATIC_CHECKS.join(', ')})`,
        npmRun(STATIC_CHECKS)
      )
    ]
  : []
const upStarted = Date.now()
const up = ended('the stack', await stackUp(), upStarted)
const endings = [up]
if (up.code !== 0) {
  for (const lane of staticChecks) {
    endings.push(await lane.done)
    process.stdout.write(Buffer.concat(lane.held))
  }
  report(endings)
}

const escaped = [...SERIAL, ...FAULTS].map(file => file.replace(/[.]/g, '\\.'))
const held = [
  heldLane(`e2e, the fault lane (${FAULTS.join(', ')})`, jestOn(FAULTS)),
  heldLane(
    'e2e, every other file',
    jestOn(['--testPathIgnorePatterns', ...escaped])
  ),
  ...(withChecks ? [heldLane('the unit tests', npmRun(['test']))] : [])
]
const serialStarted = Date.now()
endings.push(
  ended(
    'e2e, the serial lane',
    await run(process.execPath, [...JEST, ...SERIAL], 'inherit').code,
    serialStarted
  )
)
for (const lane of [...staticChecks, ...held]) {
  endings.push(await lane.done)
  process.stdout.write(Buffer.concat(lane.held))
}
report(endings)

/** Prints how each part ended and its time, and exits with the first failure's code. */
function report(parts) {
  const told = parts.map(
    ({ name, code, s }) => `${name} exited ${code} (${s} s)`
  )
  console.log(`\nlanes: ${told.join('; ')}`)
  process.exit(parts.find(({ code }) => code !== 0)?.code ?? 0)
}
