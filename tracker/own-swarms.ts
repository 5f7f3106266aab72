import type { Server, Swarm, SwarmPeer } from 'bittorrent-tracker'
import { announceIntervalMs } from './announce-interval.js'
import { selectPeers } from './select-peers.js'

/** What the tracker answered over its life: the measure of its load (logged when it closes). */
export interface TrackerStats {
  /** Announces answered, of every kind (started, periodic, completed, stopped). */
  announces: number
  /** The most peers the swarm listed at once. */
  peakPeers: number
}

/**
 * Replaces the random peer list of each swarm the server makes with the site-aware one of
 * selectPeers, and its fixed announce interval with one that grows with the swarm (the server puts
 * its own only into answers that have none), and counts the announces into `stats`.
 * bittorrent-tracker documents createSwarm as the place to supply one's own swarm; this keeps its
 * Swarm (counters, LRU, events). HTTP only, so the WebRTC filtering of the library's own choice does
 * not apply.
 */
export function useOwnSwarms(server: Server, stats: TrackerStats): void {
  const createSwarm = server.createSwarm.bind(server)
  server.createSwarm = (infoHash, cb) =>
    createSwarm(infoHash, (err, swarm) => {
      if (swarm !== undefined) ownSwarm(swarm, stats)
      cb(err, swarm)
    })
}

function ownSwarm(swarm: Swarm, stats: TrackerStats): void {
  const listed = mirrorPeers(swarm)
  swarm._getPeers = (numwant, ownPeerId) => selectPeers(listed.values(), ownPeerId, numwant)
  const announce = swarm.announce.bind(swarm)
  swarm.announce = (params, done) =>
    announce(params, (err, response) => {
      stats.announces++
      stats.peakPeers = Math.max(stats.peakPeers, listed.size)
      // bittorrent-tracker answers in whole seconds.
      if (response !== undefined) response.interval = Math.ceil(announceIntervalMs(listed.size) / 1000)
      done(err, response)
    })
}

/**
 * The swarm's peers, kept in step with its LRU: reading them back from the LRU costs a key list and
 * a clock read per peer on every announce (2 ms at 10,000 peers, more than choosing among them).
 * Every removal from the LRU (leaving, eviction, expiry) goes through its `remove`. An expired peer
 * stays listed until the LRU next looks at it; with announces at most 10 minutes apart and a
 * 20-minute TTL, only a peer that missed two announces is that late.
 */
function mirrorPeers(swarm: Swarm): Map<string, SwarmPeer> {
  const listed = new Map<string, SwarmPeer>()
  const lru = swarm.peers
  const set = lru.set.bind(lru)
  const remove = lru.remove.bind(lru)
  lru.set = (key, peer) => {
    listed.set(String(key), peer)
    set(key, peer)
  }
  lru.remove = (key) => {
    listed.delete(String(key))
    return remove(key)
  }
  return listed
}
