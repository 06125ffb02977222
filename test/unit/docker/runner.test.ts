/**
 * The docker runner against a real process: test/fixtures/fake-docker
 * stands in for the docker CLI (each argument one instruction: print, sleep,
 * read stdin, start a child, exit), so the stall watch, the kill of what the
 * command started and the runner's contract run for real.
 */
import { describe, expect, it } from '@jest/globals'
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { PassThrough } from 'node:stream'
import { runProcess, type StallWatch } from '../../../src/docker/process.js'
import {
  createDockerRunner,
  DockerCommandError,
  DockerMissingError,
  DockerStalledError
} from '../../../src/docker/runner.js'

const FAKE = resolve(
  import.meta.dirname,
  '../../fixtures/fake-docker/docker.mjs'
)
const docker = createDockerRunner(FAKE, { DPA_FAKE: 'from-the-runner' })
const quiet = { quiet: true }

/** A watch of `ms` that starts at buildx's push phase. */
const pushPhase = (
  ms: number,
  stillAnswering?: () => Promise<boolean>
): StallWatch => ({
  name: 'push',
  ms,
  startsAt: event => event.kind === 'push',
  stillAnswering
})

/** Whether a process still runs (a zombie has ended; only its entry is left). */
function running(pid: number): boolean {
  const stat = `/proc/${pid}/stat`
  if (!existsSync(stat)) return false
  const state = readFileSync(stat, 'utf8').split(') ')[1]?.[0]
  return state !== undefined && state !== 'Z'
}

/** Waits until `pid` has ended (the test's own timeout bounds it). */
async function ended(pid: number): Promise<boolean> {
  while (running(pid)) await new Promise(r => setTimeout(r, 20))
  return true
}

describe('the stall watch', () => {
  it('stops a command that goes silent in its push phase', async () => {
    const args = ['out:#1 building', 'out:#5 pushing layers', 'sleep:60000']
    await expect(
      docker.run(args, { ...quiet, stalls: [pushPhase(200)] })
    ).rejects.toThrow(DockerStalledError)
  })

  it('says what was stopped and keeps its output', async () => {
    const args = ['out:#5 pushing layers', 'sleep:60000']
    const stopped = docker.run(args, { ...quiet, stalls: [pushPhase(100)] })
    await expect(stopped).rejects.toThrow(
      /^docker 'out:#5 pushing layers' sleep:60000 printed nothing new for \d+ s and was stopped$/
    )
    await expect(stopped).rejects.toMatchObject({
      output: expect.stringContaining('#5 pushing layers')
    })
  })

  it('takes a line printed again and again for no progress (docker push: Waiting)', async () => {
    const args = [
      'out:The push refers to repository [x]',
      'repeat:20:1a2b: Waiting'
    ]
    await expect(
      docker.run(args, { ...quiet, stalls: [{ name: 'push', ms: 200 }] })
    ).rejects.toThrow(DockerStalledError)
  })

  it("takes buildx's download printed again with a new time, its bytes still, for no progress", async () => {
    const args = ['tick:50:#5 sha256:1d50ded16a97 0B / 1.07MB']
    await expect(
      docker.run(args, { ...quiet, stalls: [{ name: 'cache', ms: 200 }] })
    ).rejects.toThrow(DockerStalledError)
    // bytes that move are progress
    const moving = Array.from({ length: 8 }, (_, i) => [
      `out:#5 sha256:1d50ded16a97 ${i}B / 1.07MB ${i}.1s`,
      'sleep:150'
    ])
    await expect(
      docker.run([...moving.flat(), 'exit:0'], {
        ...quiet,
        stalls: [{ name: 'cache', ms: 1000, startsAt: () => true }]
      })
    ).resolves.toBeDefined()
  })

  it('takes every new line for progress', async () => {
    const lines = Array.from({ length: 8 }, (_, i) => [
      `out:layer ${i}`,
      'sleep:150'
    ])
    // watched from the first line (the stand-in's start-up is no silence of
    // docker's): 8 lines 150 ms apart outlast one 1 s window only by resets
    const { stdout } = await docker.run([...lines.flat(), 'exit:0'], {
      ...quiet,
      stalls: [{ name: 'push', ms: 1000, startsAt: () => true }]
    })
    expect(stdout).toContain('layer 7')
  })

  it('does not watch the silence before the push phase (a long compile)', async () => {
    const args = [
      'out:#4 [2/2] RUN make',
      'sleep:1500',
      'out:#5 pushing layers',
      'out:#5 pushing layers 0.1s done',
      'exit:0'
    ]
    // a 1 s window: the exit right after the push lines has room on a loaded machine
    const { stdout } = await docker.run(args, {
      ...quiet,
      stalls: [pushPhase(1000)]
    })
    expect(stdout).toContain('pushing layers 0.1s done')
  })

  it('watches from the first output without a start line (docker push)', async () => {
    const args = ['out:The push refers to repository [x]', 'sleep:60000']
    await expect(
      docker.run(args, { ...quiet, stalls: [{ name: 'push', ms: 100 }] })
    ).rejects.toThrow(DockerStalledError)
  })

  it('lets a silent upload go on while the registry still answers', async () => {
    let asked = 0
    const stillAnswering = () => {
      asked++
      return Promise.resolve(true)
    }
    const args = ['out:#5 pushing layers', 'sleep:700', 'out:done', 'exit:0']
    const { stdout } = await docker.run(args, {
      ...quiet,
      stalls: [pushPhase(100, stillAnswering)]
    })
    expect(stdout).toContain('done')
    expect(asked).toBeGreaterThan(0)
  })

  it('stops a silent push at its limit even while the registry answers (one hung request of docker)', async () => {
    let asked = 0
    const stillAnswering = () => {
      asked++
      return Promise.resolve(true)
    }
    const args = ['out:#5 pushing layers', 'sleep:60000']
    const stall = { ...pushPhase(100, stillAnswering), limitMs: 1000 }
    await expect(
      docker.run(args, { ...quiet, stalls: [stall] })
    ).rejects.toThrow(DockerStalledError)
    expect(asked).toBeGreaterThanOrEqual(3)
  })

  it('stops it once the registry does not answer either', async () => {
    let asked = 0
    const answers = [true, false]
    const stillAnswering = () => Promise.resolve(answers[asked++] ?? false)
    const args = ['out:#5 pushing layers', 'sleep:60000']
    await expect(
      docker.run(args, { ...quiet, stalls: [pushPhase(100, stillAnswering)] })
    ).rejects.toThrow(DockerStalledError)
    expect(asked).toBe(2)
  })

  it('takes a failed question for no answer', async () => {
    const stillAnswering = () => Promise.reject(new Error('timed out'))
    const args = ['out:#5 pushing layers', 'sleep:60000']
    await expect(
      docker.run(args, { ...quiet, stalls: [pushPhase(100, stillAnswering)] })
    ).rejects.toThrow(DockerStalledError)
  })

  it('kills what the command started too (buildx below the docker CLI)', async () => {
    const args = ['child', 'out:#5 pushing layers', 'sleep:60000']
    const stopped = docker.run(args, { ...quiet, stalls: [pushPhase(100)] })
    const error = await stopped.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DockerStalledError)
    const child = /child:(\d+)/.exec((error as DockerStalledError).output)
    expect(child).not.toBeNull()
    expect(await ended(Number(child?.[1]))).toBe(true)
  })

  it('never stops a command without a watch', async () => {
    const args = ['out:#5 pushing layers', 'sleep:300', 'out:done', 'exit:0']
    const { stdout } = await docker.run(args, quiet)
    expect(stdout).toContain('done')
  })
})

describe('the runner contract', () => {
  it('sends the input on stdin', async () => {
    const { stdout } = await docker.run(['stdin', 'exit:0'], {
      ...quiet,
      input: 'pass\u00e9word'
    })
    expect(stdout).toBe('pass\u00e9word')
  })

  it('adds its env to this process environment', async () => {
    const { stdout } = await docker.run(
      ['env:DPA_FAKE', 'env:PATH', 'exit:0'],
      quiet
    )
    expect(stdout).toBe(
      `DPA_FAKE=from-the-runner\nPATH=${process.env.PATH ?? ''}\n`
    )
  })

  it('judges by exit code alone: stderr output is no failure', async () => {
    const result = await docker.run(['err:WARNING: careful', 'exit:0'], quiet)
    expect(result.stderr).toBe('WARNING: careful\n')
  })

  it('throws the exit code and the tail of the output on a non-zero exit', async () => {
    const failed = docker.run(['out:step 1', 'err:no such image', 'exit:3'], {
      ...quiet
    })
    await expect(failed).rejects.toThrow(DockerCommandError)
    await expect(failed).rejects.toThrow(
      /failed with exit code 3:\nno such image\n\nstep 1$/
    )
  })

  it('says docker is missing when the binary is not on PATH', async () => {
    const missing = createDockerRunner('docker-publish-action-no-such-docker')
    await expect(missing.run(['version'])).rejects.toThrow(DockerMissingError)
  })
})

describe("buildx's plugin started directly", () => {
  it('gets the buildx command without the word buildx (its standalone form)', async () => {
    const direct = createDockerRunner(FAKE, {}, FAKE)
    const { stdout } = await direct.run(['buildx', 'out:direct', 'exit:0'])
    expect(stdout).toBe('direct\n')
  })

  it('leaves every other command to docker', async () => {
    const direct = createDockerRunner(FAKE, {}, '/nonexistent/docker-buildx')
    const { stdout } = await direct.run(['out:via docker', 'exit:0'], quiet)
    expect(stdout).toBe('via docker\n')
  })

  it('asks docker with the whole command when the plugin cannot start', async () => {
    // the stand-in docker refuses "buildx" as a step: that it was asked shows
    const gone = createDockerRunner(FAKE, {}, '/nonexistent/docker-buildx')
    await expect(
      gone.run(['buildx', 'out:direct', 'exit:0'], quiet)
    ).rejects.toThrow(/unknown step buildx/)
  })
})

describe('runProcess: what reaches the log', () => {
  async function logged(quiet: boolean): Promise<string> {
    const out = new PassThrough()
    let text = ''
    out.on('data', (chunk: Buffer) => (text += chunk.toString()))
    // apart in time: two pipes' chunks have no order between them
    const args = ['out:to stdout', 'sleep:100', 'err:to stderr', 'exit:0']
    await runProcess(FAKE, args, {
      env: process.env,
      out,
      quiet
    })
    return text
  }

  it('echoes the command as run, then streams both outputs', async () => {
    expect(await logged(false)).toBe(
      `[command]${FAKE} out:to stdout sleep:100 err:to stderr exit:0\nto stdout\nto stderr\n`
    )
  })

  it('writes nothing when quiet', async () => {
    expect(await logged(true)).toBe('')
  })
})

describe('runProcess with a process group of its own (the gate)', () => {
  // the subshell starts a sleep and exits at once: the sleep leaves the tree, keeping stdout open
  const ESCAPES = '( sleep 600 & echo "escaped:$!" )'
  it.each([
    {
      name: 'its deadline ends a child that left its tree',
      line: `${ESCAPES}; sleep 600`,
      stoppedBy: 'deadline',
      exitCode: 137,
      deadlineMs: 500
    },
    {
      name: 'its exit ends what it left running, which would hold its output open',
      line: `${ESCAPES}; exit 0`,
      stoppedBy: undefined,
      exitCode: 0,
      // ends at once: a deadline far off, so only the group's kill can free its output
      deadlineMs: 5000
    }
  ])('$name', async ({ line, stoppedBy, exitCode, deadlineMs }) => {
    const result = await runProcess('bash', ['-c', line], {
      ...quiet,
      env: process.env,
      deadlineMs,
      ownGroup: true
    })
    expect(result.stalled?.watch.name).toBe(stoppedBy)
    expect(result.exitCode).toBe(exitCode)
    const escaped = /escaped:(\d+)/.exec(result.stdout)
    expect(escaped).not.toBeNull()
    expect(await ended(Number(escaped?.[1]))).toBe(true)
  })
})
