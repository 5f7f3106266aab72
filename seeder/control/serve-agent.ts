import { rm } from 'node:fs/promises'
import type { Readable, Writable } from 'node:stream'
import type { Logger } from 'pino'
import { allHolesClosed } from '../firewall/firewall-holes.js'
import { createReporter } from './report.js'
import { runAgent } from './run-agent.js'

export interface AgentProcess {
  input: Readable
  output: Writable
  log: Logger
  /** Silence on the channel for this long means the orchestrator is gone. */
  idleTimeoutMs: number
  /**
   * The private directory the agent was shipped to, removed as it ends, so that even an orchestrator
   * killed with -9 leaves no file behind; undefined when it runs from the build (local endpoints).
   */
  ownDir: string | undefined
}

/**
 * The agent's life from hello to its last word: serves the orchestrator's commands, then removes its
 * own files and says `cleanedUp` if it also closed every firewall hole it opened. Resolves with the
 * process's exit status.
 */
export async function serveAgent({
  input,
  output,
  log,
  idleTimeoutMs,
  ownDir,
}: AgentProcess): Promise<number> {
  const report = createReporter(output)
  // A closed output means nobody is listening any more: stop instead of crashing on EPIPE.
  output.on('error', () => input.destroy())
  report({ type: 'hello', pid: process.pid, node: process.version })
  let status = 0
  try {
    await runAgent({ input, report, log, idleTimeoutMs, workDir: ownDir })
  } catch (err) {
    log.error({ err }, 'agent failed')
    status = 1
  } finally {
    const filesRemoved = ownDir === undefined || (await removeDir(ownDir, log))
    if (filesRemoved && allHolesClosed()) report({ type: 'cleanedUp' })
  }
  return status
}

async function removeDir(dir: string, log: Logger): Promise<boolean> {
  try {
    await rm(dir, { recursive: true, force: true })
    return true
  } catch (err) {
    log.warn({ err, dir }, 'could not remove the agent files')
    return false
  }
}
