import { existsSync } from 'node:fs'
import { readdir, readFile, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { describe, expect, test } from 'vitest'
import type { Executor } from '../../src/exec/executor.js'
import { LocalExecutor } from '../../src/exec/local.js'
import { agentBundlePath } from '../../src/run/agent-bundle.js'
import { CleanupStack } from '../../src/run/cleanup-stack.js'
import { startAgent } from '../../src/run/start-agent.js'
import { pollUntil } from '../helpers/poll-until.js'

const log = pino({ level: 'silent' })

/** This machine, reached the way a remote host is (the agent shipped to a temp directory), with every command recorded. */
function recordingExecutor(): { exec: Executor; commands: string[][] } {
  const local = new LocalExecutor()
  const commands: string[][] = []
  const exec: Executor = {
    host: local.host,
    dataAddress: local.dataAddress,
    connect: () => local.connect(),
    close: () => local.close(),
    run: (argv, opts) => {
      commands.push([...argv])
      return local.run(argv, opts)
    },
    spawn: (argv) => {
      commands.push([...argv])
      return local.spawn(argv)
    },
  }
  return { exec, commands }
}

async function shippedAgent() {
  const { exec, commands } = recordingExecutor()
  const cleanup = new CleanupStack(log)
  const channel = await startAgent(exec, false, { cleanup, log, agentIdleTimeoutMs: 30_000 })
  // sh -c SCRIPT sh SUFFIX …: the directory is named by the suffix, under $TMPDIR.
  const suffix = commands.at(-1)?.[4]
  if (suffix === undefined) throw new Error(`no shipped agent among ${JSON.stringify(commands)}`)
  return { channel, cleanup, commands, dir: join(process.env.TMPDIR ?? '/tmp', `fanout-agent.${suffix}`) }
}

const removals = (commands: string[][]) => commands.filter((argv) => argv.join(' ').includes('rm -rf'))

/**
 * An agent removes its own files and closes its own holes, and says so as it exits; the orchestrator
 * repeats that work only for an agent that could not (each repeat is an SSH round trip per command).
 */
describe('cleaning up after a shipped agent', () => {
  test('an agent that stops normally cleans up itself: no second removal', async () => {
    const { channel, cleanup, commands, dir } = await shippedAgent()
    // Shipped unreadable to other users, and byte for byte the bundle that was built.
    expect((await stat(dir)).mode & 0o777).toBe(0o700)
    expect((await stat(`${dir}/agent.mjs`)).mode & 0o777).toBe(0o600)
    const shipped = await readFile(`${dir}/agent.mjs`)
    expect(shipped.equals(await readFile(agentBundlePath()))).toBe(true)
    expect(await cleanup.unwind()).toEqual([])
    expect(channel.cleanedUp).toBe(true)
    expect(existsSync(dir)).toBe(false)
    expect(removals(commands)).toEqual([])
  })

  test('a killed agent says nothing, and the orchestrator removes its files', async () => {
    const { channel, cleanup, commands, dir } = await shippedAgent()
    const pid = await pollUntil('the agent pid', async () => agentPid(dir), { timeoutMs: 5_000 })
    process.kill(pid, 'SIGKILL')
    expect(await cleanup.unwind()).toEqual([])
    expect(channel.cleanedUp).toBe(false)
    expect(existsSync(dir)).toBe(false)
    expect(removals(commands)).toHaveLength(1)
  })
})

describe('shipping an agent', () => {
  test('a host where it cannot be written fails with the shell’s reason', async () => {
    const { exec } = recordingExecutor()
    const cleanup = new CleanupStack(log)
    const previous = process.env.TMPDIR
    // The agent's directory goes under $TMPDIR, and mkdir does not make missing parents.
    process.env.TMPDIR = join(tmpdir(), `fanout-no-such-dir-${process.pid}`)
    try {
      await expect(
        startAgent(exec, false, { cleanup, log, agentIdleTimeoutMs: 30_000 }),
      ).rejects.toMatchObject({
        code: 'AGENT_FAILED',
        message: expect.stringMatching(/exited with status 1: .*mkdir/),
      })
    } finally {
      process.env.TMPDIR = previous
      expect(await cleanup.unwind()).toEqual([])
    }
  })
})

/** The pid of the node process running `dir`/agent.mjs, started by this test. */
async function agentPid(dir: string): Promise<number | undefined> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')
    if (cmdline.split('\0').includes(`${dir}/agent.mjs`)) return Number(entry)
  }
  return undefined
}
