// Rebuilds dist/ and fails when the result differs from the dist/ that was
// there before (in CI's clean clone: the committed one).
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

function snapshot(dir) {
  if (!existsSync(dir)) return new Map()
  const files = readdirSync(dir, { recursive: true })
    .map(name => join(dir, name))
    .filter(file => statSync(file).isFile())
  return new Map(
    files.map(file => [
      file,
      createHash('sha256').update(readFileSync(file)).digest('hex')
    ])
  )
}

const before = snapshot('dist')
execFileSync('npm', ['run', '-s', 'build'], { stdio: 'inherit' })
const after = snapshot('dist')
const changed = [...new Set([...before.keys(), ...after.keys()])].filter(
  file => before.get(file) !== after.get(file)
)
if (changed.length > 0) {
  console.error(
    'dist/ is not what src/ builds to. Run `npm run build` and commit dist/. Differs:'
  )
  for (const file of changed.sort())
    console.error(
      `  ${file}${before.has(file) ? (after.has(file) ? '' : ' (gone)') : ' (new)'}`
    )
  process.exit(1)
}
console.log(`dist/ is current (${after.size} files)`)
