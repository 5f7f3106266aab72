import { rmSync } from 'node:fs'
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
const ownDir = argv.includes('--remove-own-dir') ? dirname(fileURLToPath(import.meta.url)) : undefined
// A bug that escapes every handler must still not leave the shipped files behind: the agent's
// promise is that a host is left as it was found. Firewall holes are the orchestrator's to close then.
process.on('uncaughtException', (err) => {
  log.fatal({ err }, 'agent crashed')
  if (ownDir !== undefined) rmSync(ownDir, { recursive: true, force: true })
  process.exit(70)
})
process.exitCode = await serveAgent({
  input: process.stdin,
  output: process.stdout,
  log,
  idleTimeoutMs: idleFlag > 0 ? Number(argv[idleFlag + 1]) : 30_000,
  ownDir,
})
// webtorrent can keep sockets half-closed for a while; the work is done, so do not wait for them.
process.exit()
