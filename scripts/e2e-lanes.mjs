// Runs the e2e suite in two lanes at once (`npm run test:e2e`): the fault suites, whose runs
// mostly wait out hang bounds on engines, BuildKits and proxies of their own (they fault nothing
// the stack's shared daemons serve), bad-inputs, and two suites that build only on the default
// engine, whose BuildKit no file holds (they even the lanes' times), beside every other file in
// band. With `--with-checks` (what `npm run test:all` runs), the second lane first runs the static
// checks and the unit tests: the main lane is the suite's longest, so they cost its wall time
// nothing. Extra jest arguments (a file, `-t`) run one jest in band as before, without lanes.
import { Buffer } from 'node:buffer'
import { spawn } from 'node:child_process'

/** Files that share no daemon state with the others: see each file's header comment. */
const ISOLATED = [
  'test/e2e/soak.test.ts',
  'test/e2e/builder-faults.test.ts',
  'test/e2e/faults.test.ts',
  'test/e2e/hung-registry.test.ts',
  'test/e2e/bad-inputs.test.ts',
  'test/e2e/github-attestations.test.ts',
  'test/e2e/safety.test.ts'
]

/** Read-only checks, run beside the main lane: none writes dist/, which the e2e runs execute. */
const CHECKS = ['format:check', 'lint', 'typecheck', 'test']

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
if (extra.length > 0)
  process.exit(await run(process.execPath, [...JEST, ...extra], 'inherit').code)

// the second lane's output is held and printed whole after the main lane's, not interleaved
const held = []
function heldRun(command, args) {
  const { child, code } = run(command, args, ['ignore', 'pipe', 'pipe'])
  child.stdout.on('data', chunk => held.push(chunk))
  child.stderr.on('data', chunk => held.push(chunk))
  return code
}

/** The checks in order, stopping at the first that fails; then the isolated files. */
async function secondLane() {
  for (const script of withChecks ? CHECKS : []) {
    held.push(Buffer.from(`\n== npm run ${script}\n`))
    const code = await heldRun('npm', ['run', script])
    if (code !== 0) return { code, failed: `npm run ${script}` }
  }
  held.push(
    Buffer.from(`\n== e2e, the isolated lane (${ISOLATED.join(', ')})\n`)
  )
  const code = await heldRun(process.execPath, [...JEST, ...ISOLATED])
  return { code, failed: code === 0 ? undefined : 'the isolated e2e lane' }
}

const second = secondLane()
const escaped = ISOLATED.map(file => file.replace(/[.]/g, '\\.'))
const mainCode = await run(
  process.execPath,
  [...JEST, '--testPathIgnorePatterns', ...escaped],
  'inherit'
).code
const { code, failed } = await second
console.log(
  `\n== the second lane (${withChecks ? 'checks, unit tests, then ' : ''}isolated e2e):`
)
process.stdout.write(Buffer.concat(held))
console.log(
  `lanes: e2e main exited ${mainCode}; second lane exited ${code}` +
    (failed === undefined ? '' : ` (failed: ${failed})`)
)
process.exit(mainCode !== 0 ? mainCode : code)
