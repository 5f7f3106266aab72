/**
 * A plain HTTP BitTorrent tracker for the aria2c baseline, on the source host (via nsenter):
 *
 *   node --import tsx bench/host/tracker.ts ADDRESS PORT EVENTS_DIR
 *
 * No UDP or WebSocket. Peers re-announce every 10 s (the default is 10 min), so a leecher that
 * joined before the others still learns about them soon. Each peer's first announce creates
 * `EVENTS_DIR/announced-<ip>`, which is how the benchmark knows the seeder is known before it
 * starts the leechers. Runs until SIGTERM.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Server } from 'bittorrent-tracker'

const [address = '', port = '0', events = ''] = process.argv.slice(2)
const server = new Server({ udp: false, http: true, ws: false, stats: false, interval: 10_000 })
server.on('error', (err: Error) => {
  console.error(`tracker: ${err.message}`)
  process.exitCode = 1
})
server.on('start', (peer: string) => {
  const ip = peer.replace(/:\d+$/, '')
  writeFileSync(join(events, `announced-${ip}`), '')
})
server.listen(Number(port), address, () => console.error(`tracker listening on ${address}:${port}`))
process.on('SIGTERM', () => server.close(() => process.exit()))
