// Rebuilds dist/ and fails when it differs from what is committed.
import { execFileSync } from 'node:child_process'

execFileSync('npm', ['run', '-s', 'build'], { stdio: 'inherit' })
const changed = execFileSync(
  'git',
  ['status', '--porcelain', '--untracked-files=all', '--', 'dist'],
  { encoding: 'utf8' }
)
if (changed.trim() !== '') {
  console.error(
    'dist/ is not what src/ builds to. Run `npm run build` and commit dist/:'
  )
  console.error(changed)
  console.error(
    execFileSync('git', ['diff', '--stat', '--', 'dist'], { encoding: 'utf8' })
  )
  process.exit(1)
}
console.log('dist/ is current')
