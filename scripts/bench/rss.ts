/** The peak resident memory of a child process of this one, polled from /proc while it runs. */
import { readFileSync } from 'node:fs'

const readOr = (file: string): string => {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return ''
  }
}

/** VmHWM (the kernel's own high-water mark) in bytes, 0 if the process is gone. */
function peakOf(pid: string): number {
  const match = /^VmHWM:\s+(\d+) kB/m.exec(readOr(`/proc/${pid}/status`))
  return match === null ? 0 : Number(match[1]) * 1024
}

/**
 * Watches this process's children whose command line contains `entry` and
 * keeps the largest high-water mark seen; stop() returns it. The last poll
 * before the child exits misses at most its last 50 ms.
 */
export function watchPeakRss(entry: string): () => number {
  let peak = 0
  const children = `/proc/${process.pid}/task/${process.pid}/children`
  const poll = () => {
    for (const pid of readOr(children).split(/\s+/).filter(Boolean))
      if (readOr(`/proc/${pid}/cmdline`).includes(entry))
        peak = Math.max(peak, peakOf(pid))
  }
  const timer = setInterval(poll, 50)
  return () => {
    clearInterval(timer)
    return peak
  }
}
