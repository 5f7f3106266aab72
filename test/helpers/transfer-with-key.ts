/**
 * Runs a transfer through the API with a swarm key the test knows, so the test can look for that
 * key (and what is derived from it) in every process's argv and in the debug log. Run inside the
 * cluster's admin namespace: `tsx transfer-with-key.ts '<options json>' <log file>`, key in hex on stdin.
 */
import { readFileSync } from 'node:fs'
import pino from 'pino'
import { startTransfer } from '../../src/api/transfer.js'
import { resolveConfig } from '../../src/config/resolve.js'

const options = JSON.parse(process.argv[2] ?? '{}') as {
  source: string
  targets: string[]
  sshConfigPath: string
}
const logFile = process.argv[3] ?? '/dev/null'
const swarmKey = Buffer.from(readFileSync(0, 'utf8').trim(), 'hex')
const logger = pino({ level: 'debug' }, pino.destination({ dest: logFile, sync: true }))
const { source, targets, ...flags } = options
const config = resolveConfig(flags)
const request = { source, targets, cwd: process.cwd() }
const result = await startTransfer(request, config, {
  log: logger,
  signal: new AbortController().signal,
  swarmKey,
})
process.stdout.write(JSON.stringify(result))
