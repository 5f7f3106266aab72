/**
 * fanout's own tracker (tracker/server.ts) alone, for bench/tracker-load.ts:
 *
 *   node --import tsx bench/host/fanout-tracker.ts INFO_HASH SECRET
 *
 * Listens on 127.0.0.1, prints its announce URL on stdout, and closes when stdin ends, so the
 * benchmark reads this process's CPU time and nothing else's.
 */
import pino from 'pino'
import { startTracker } from '../../tracker/server.js'

const [infoHash = '', secret = ''] = process.argv.slice(2)
const tracker = await startTracker({ host: '127.0.0.1', infoHash, secret, log: pino({ level: 'silent' }) })
process.stdout.write(`${tracker.url}\n`)
process.stdin.resume()
process.stdin.on('end', () => void tracker.close())
