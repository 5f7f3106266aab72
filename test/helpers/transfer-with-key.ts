/**
 * Runs a transfer through the API with a swarm key the test knows, so the test can look for that
 * key (and what is derived from it) in every process's argv and in the debug log. Run inside the
 * cluster's admin namespace: `tsx transfer-with-key.ts '<options json>' <log file>`, key in hex on stdin.
 */
import { readFileSync } from 'node:fs'
import pino from 'pino'
import { transfer } from '../../src/index.js'

const options = JSON.parse(process.argv[2] ?? '{}') as {
  source: string
  targets: string[]
  sshConfigPath: string
}
const logFile = process.argv[3] ?? '/dev/null'
const swarmKey = Buffer.from(readFileSync(0, 'utf8').trim(), 'hex')
const logger = pino({ level: 'debug' }, pino.destination({ dest: logFile, sync: true }))
const result = await transfer({ ...options, swarmKey, logger })
process.stdout.write(JSON.stringify(result))
