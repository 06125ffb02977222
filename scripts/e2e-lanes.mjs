// Runs the e2e suite in two lanes at once (`npm run test:e2e`): the fault suites, whose runs
// mostly wait out hang bounds on engines, BuildKits and proxies of their own (they fault nothing
// the stack's shared daemons serve), beside every other file in band. Extra jest arguments (a file,
// `-t`) run one jest in band as before, without lanes.
import { Buffer } from 'node:buffer'
import { spawn } from 'node:child_process'

/** Files that share no daemon state with the others: see each file's header comment. */
const ISOLATED = [
  'test/e2e/soak.test.ts',
  'test/e2e/builder-faults.test.ts',
  'test/e2e/faults.test.ts',
  'test/e2e/hung-registry.test.ts'
]

const JEST = [
  '--experimental-vm-modules',
  'node_modules/jest/bin/jest.js',
  '--selectProjects',
  'e2e',
  '--runInBand'
]

function jest(args, stdio) {
  const child = spawn(process.execPath, [...JEST, ...args], { stdio })
  return new Promise(resolve => child.on('close', code => resolve(code ?? 1)))
}

const extra = process.argv.slice(2)
if (extra.length > 0) process.exit(await jest(extra, 'inherit'))

// the isolated lane's output is held and printed whole after the main lane's, not interleaved
const held = []
const isolated = spawn(process.execPath, [...JEST, ...ISOLATED], {
  stdio: ['ignore', 'pipe', 'pipe']
})
isolated.stdout.on('data', chunk => held.push(chunk))
isolated.stderr.on('data', chunk => held.push(chunk))
const isolatedCode = new Promise(resolve =>
  isolated.on('close', code => resolve(code ?? 1))
)
const escaped = ISOLATED.map(file => file.replace(/[.]/g, '\\.'))
const mainCode = await jest(['--testPathIgnorePatterns', ...escaped], 'inherit')
const code = await isolatedCode
console.log(`\n== e2e, the isolated lane (${ISOLATED.join(', ')}):\n`)
process.stdout.write(Buffer.concat(held))
console.log(`e2e lanes: main exited ${mainCode}, isolated exited ${code}`)
process.exit(mainCode !== 0 ? mainCode : code)
