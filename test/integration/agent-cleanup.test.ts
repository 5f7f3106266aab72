import { existsSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import pino from 'pino'
import { describe, expect, test } from 'vitest'
import type { Executor } from '../../src/exec/executor.js'
import { LocalExecutor } from '../../src/exec/local.js'
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
  const script = commands.at(-1)?.find((word) => word.endsWith('/agent.mjs'))
  if (script === undefined) throw new Error(`no shipped agent among ${JSON.stringify(commands)}`)
  return { channel, cleanup, commands, dir: script.slice(0, -'/agent.mjs'.length) }
}

const removals = (commands: string[][]) => commands.filter((argv) => argv[0] === 'rm')

/**
 * An agent removes its own files and closes its own holes, and says so as it exits; the orchestrator
 * repeats that work only for an agent that could not (each repeat is an SSH round trip per command).
 */
describe('cleaning up after a shipped agent', () => {
  test('an agent that stops normally cleans up itself: no second removal', async () => {
    const { channel, cleanup, commands, dir } = await shippedAgent()
    expect(existsSync(`${dir}/agent.mjs`)).toBe(true)
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
    expect(removals(commands)).toEqual([['rm', '-rf', '--', dir]])
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
