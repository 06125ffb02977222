import { parseCliArgs } from './cli-args.js'
import { runTime } from './clock.js'
import { refContextFromGit } from './context/git-context.js'
import { execGit } from './context/git-exec.js'
import { plannedCommands } from './docker/commands.js'
import { parseSettings } from './action/settings.js'
import { errorMessage } from './errors.js'
import { planPublish } from './plan.js'
import { planText } from './plan-text.js'

const USAGE = `Usage: docker-publish-action [--dry-run] [--images NAME]... [--tags RULE]... [--flavor LINE]...
                             [--INPUT VALUE]...
Computes the tags for the current git checkout (branch, or the tag at HEAD) and
publishes the image, exactly as the GitHub Action would. Every action input is a
flag of the same name; a repeated flag adds a line to a multi-line input.
  --dry-run   print the plan (tags, labels, commands) and change nothing`

/** The local CLI: same settings parser and engine as the action, git instead of GITHUB_*. */
export async function runCli(
  argv: string[],
  cwd: string,
  out: (text: string) => void
): Promise<number> {
  try {
    const { inputs, help } = parseCliArgs(argv)
    if (help) {
      out(USAGE)
      return 0
    }
    const settings = await parseSettings(name => inputs.get(name) ?? '')
    const ctx = await refContextFromGit(execGit, cwd, settings.defaultBranch)
    const now = runTime(process.env.SOURCE_DATE_EPOCH, () => new Date())
    const plan = planPublish(settings, ctx, now)
    out(planText(plan, plannedCommands(settings, plan, '<metadata-file>')))
    if (!settings.dryRun)
      throw new Error('publishing is not built yet: pass --dry-run')
    return 0
  } catch (error) {
    out(`error: ${errorMessage(error)}`)
    return 1
  }
}
