import { rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import pino from 'pino'
import { createReporter } from './control/report.js'
import { runAgent } from './control/run-agent.js'
import { allHolesClosed } from './firewall/firewall-holes.js'

// The agent is shipped to a private temp directory and removes it when it ends, so that even an
// orchestrator killed with -9 leaves no file behind. `--remove-own-dir` is only passed when shipped.
const removeOwnDir = process.argv.includes('--remove-own-dir')
const idleFlag = process.argv.indexOf('--idle-timeout-ms')
const idleTimeoutMs = idleFlag > 0 ? Number(process.argv[idleFlag + 1]) : 30_000
const log = pino(
  { level: process.env.FANOUT_AGENT_LOG ?? 'info', base: { pid: process.pid } },
  pino.destination(2),
)
const report = createReporter(process.stdout)

async function removeDir(dir: string): Promise<boolean> {
  try {
    await rm(dir, { recursive: true, force: true })
    return true
  } catch (err) {
    log.warn({ err, dir }, 'could not remove the agent files')
    return false
  }
}

// A closed stdout means nobody is listening any more: stop instead of crashing on EPIPE.
process.stdout.on('error', () => process.stdin.destroy())
report({ type: 'hello', pid: process.pid, node: process.version })
try {
  await runAgent({ input: process.stdin, report, log, idleTimeoutMs })
} catch (err) {
  log.error({ err }, 'agent failed')
  process.exitCode = 1
} finally {
  const filesRemoved = !removeOwnDir || (await removeDir(dirname(fileURLToPath(import.meta.url))))
  if (filesRemoved && allHolesClosed()) report({ type: 'cleanedUp' })
}
// webtorrent can keep sockets half-closed for a while; the work is done, so do not wait for them.
process.exit()
