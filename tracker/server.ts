import { Server } from 'bittorrent-tracker'
import type { Logger } from 'pino'
import { secretMatches } from '../shared/swarm-keys.js'
import { type TrackerStats, useOwnSwarms } from './own-swarms.js'

export interface TrackerOptions {
  /** The address peers reach the tracker on (the source's data address). */
  host: string
  /** 0 lets the kernel pick a free port, so concurrent transfers never race for one. */
  port?: number
  /** The only swarm this tracker serves; announces for anything else are refused. */
  infoHash: string
  /** Announces without this value in `fanout_secret` are refused. */
  secret: string
  log: Logger
}

export interface RunningTracker {
  /** The announce URL, without the secret. */
  url: string
  port: number
  stats(): TrackerStats
  close(): Promise<void>
}

/**
 * bittorrent-tracker keeps a swarm's peers in an LRU of 1,000 by default and silently evicts the
 * least recent beyond that: in a fleet of more targets, peers would drop off every list. Far more
 * than one orchestrator drives, at a few hundred bytes per peer.
 */
const MAX_SWARM_PEERS = 100_000

/** Starts an HTTP-only tracker (no UDP, no WebSocket, no stats page) for one private swarm. */
export function startTracker(opts: TrackerOptions): Promise<RunningTracker> {
  const log = opts.log.child({ component: 'tracker' })
  const server = new Server({
    http: true,
    udp: false,
    ws: false,
    stats: false,
    peersCacheLength: MAX_SWARM_PEERS,
    filter: (
      infoHash: string,
      params: { fanout_secret?: unknown; ip?: string },
      cb: (err: Error | null) => void,
    ) => {
      if (!secretMatches(params.fanout_secret, opts.secret)) {
        log.warn({ from: params.ip }, 'announce without the transfer secret refused')
        return cb(new Error('not a participant'))
      }
      if (infoHash === opts.infoHash) return cb(null)
      log.warn({ infoHash, from: params.ip }, 'announce for a foreign swarm refused')
      cb(new Error('unknown swarm'))
    },
  })
  const stats = { announces: 0, peakPeers: 0 }
  useOwnSwarms(server, stats)
  // A malformed announce is the peer's problem: log it, never crash the source agent over it.
  server.on('warning', (err: Error) => log.debug({ err: err.message }, 'tracker warning'))
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, opts.host, () => {
      server.removeListener('error', reject)
      server.on('error', (err: Error) => log.error({ err: err.message }, 'tracker error'))
      const address = server.http.address()
      const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host
      resolve({
        url: `http://${host}:${address.port}/announce`,
        port: address.port,
        stats: () => ({ ...stats }),
        close: () =>
          new Promise<void>((done) => {
            log.info({ port: address.port, ...stats }, 'tracker closed')
            server.close(() => done())
          }),
      })
    })
  })
}
