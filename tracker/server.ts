import { Server, type Swarm, type SwarmPeer } from 'bittorrent-tracker'
import type { Logger } from 'pino'
import { secretMatches } from '../shared/swarm-keys.js'
import { selectPeers } from './select-peers.js'

export interface TrackerOptions {
  /** The address peers reach the tracker on (the source's data address). */
  host: string
  /** 0 lets the kernel pick a free port, so concurrent transfers never race for one. */
  port?: number
  /** The only swarm this tracker serves; announces for anything else are refused. */
  infoHash: string
  /** Announces without this value in `fanout_secret` are refused. */
  secret: string
  /** How often peers re-announce. Short, because a swarm here lives minutes, not days. */
  announceIntervalMs?: number
  log: Logger
}

export interface RunningTracker {
  /** The announce URL, without the secret. */
  url: string
  port: number
  close(): Promise<void>
}

/** Starts an HTTP-only tracker (no UDP, no WebSocket, no stats page) for one private swarm. */
export function startTracker(opts: TrackerOptions): Promise<RunningTracker> {
  const log = opts.log.child({ component: 'tracker' })
  const server = new Server({
    http: true,
    udp: false,
    ws: false,
    stats: false,
    interval: opts.announceIntervalMs ?? 5_000,
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
  useSitePeerLists(server)
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
        close: () => new Promise<void>((done) => server.close(() => done())),
      })
    })
  })
}

/**
 * Replaces the random peer list of each swarm the server makes with the site-aware one of
 * selectPeers. bittorrent-tracker documents createSwarm as the place to supply one's own swarm; this
 * keeps its Swarm (counters, LRU, events) and changes only the choice of peers. HTTP only, so the
 * WebRTC filtering of the library's own choice does not apply.
 */
function useSitePeerLists(server: Server): void {
  const createSwarm = server.createSwarm.bind(server)
  server.createSwarm = (infoHash, cb) =>
    createSwarm(infoHash, (err, swarm) => {
      if (swarm !== undefined)
        swarm._getPeers = (numwant, ownPeerId) => selectPeers(peersOf(swarm), ownPeerId, numwant)
      cb(err, swarm)
    })
}

function peersOf(swarm: Swarm): SwarmPeer[] {
  return swarm.peers.keys.flatMap((key) => swarm.peers.peek(key) ?? [])
}
