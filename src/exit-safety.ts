/**
 * Node 24's background compilers can deadlock the process's exit (nodejs/node#54918, #64274): the
 * exiting main thread joins V8's worker threads while one of them, compiling (Maglev, concurrent
 * Sparkplug), waits for a garbage collection only the main thread can run. The step then never
 * ends: seen here twice, the action's main step done, its summary written, hung in
 * process.exit() until the job's timeout. Node 22 ran neither compiler; TurboFan's background
 * jobs, which it did run, stay on.
 */
import { setFlagsFromString } from 'node:v8'

/** V8's flags that keep compiling off the worker threads an exit joins. */
const EXIT_SAFE_V8_FLAGS = ['--no-maglev', '--no-concurrent-sparkplug']

/** Set first in each entry, before any code is hot enough to compile. */
export function avoidExitDeadlock(): void {
  for (const flag of EXIT_SAFE_V8_FLAGS) setFlagsFromString(flag)
}
