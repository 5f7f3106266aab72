import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import pino from 'pino'
import { serveAgent } from './control/serve-agent.js'

// `--remove-own-dir` is passed only to a shipped agent, whose directory is its own to remove.
const { argv } = process
const idleFlag = argv.indexOf('--idle-timeout-ms')
const log = pino(
  { level: process.env.FANOUT_AGENT_LOG ?? 'info', base: { pid: process.pid } },
  pino.destination(2),
)
process.exitCode = await serveAgent({
  input: process.stdin,
  output: process.stdout,
  log,
  idleTimeoutMs: idleFlag > 0 ? Number(argv[idleFlag + 1]) : 30_000,
  ownDir: argv.includes('--remove-own-dir') ? dirname(fileURLToPath(import.meta.url)) : undefined,
})
// webtorrent can keep sockets half-closed for a while; the work is done, so do not wait for them.
process.exit()
