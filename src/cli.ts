#!/usr/bin/env node
import { runCli } from './cli/cli-main.js'
import { avoidExitDeadlock } from './exit-safety.js'

avoidExitDeadlock()

process.exitCode = await runCli(process.argv.slice(2), process.cwd())
