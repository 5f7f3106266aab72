import type { Torrent } from 'webtorrent'
import type { TorrentInternals, WireInternals } from './webtorrent-internals.js'

/**
 * webtorrent 2.8.5 runs Torrent#_update (every wire's requests) and _updateWireInterest (a walk over
 * every piece) on each `have` a peer sends. A peer sends one `have` per piece it gains, several
 * per socket read when pieces are small: a target taking 10,000 pieces of 16 KiB from its base (or
 * from the swarm) sent 40,000 of them to four peers, each costing their receivers a walk over every
 * piece. Both are recomputations of state, so doing them once per turn of the event loop, after the
 * whole burst, gives the same result for a fraction of the work.
 *
 * Relies on the `have` handler calling these two through `this`, pinned with the version.
 */
export function coalesceUpdates(torrent: Torrent): void {
  const internals = torrent as unknown as TorrentInternals
  const update = internals._update
  const updateInterest = internals._updateWireInterest
  let updating = false
  const interests = new Set<WireInternals>()
  internals._update = function (this: TorrentInternals) {
    if (updating) return
    updating = true
    setImmediate(() => {
      updating = false
      if (!internals.destroyed) update.call(internals)
    })
  }
  internals._updateWireInterest = function (this: TorrentInternals, wire: WireInternals) {
    if (interests.size === 0) {
      setImmediate(() => {
        const wires = [...interests]
        interests.clear()
        for (const each of wires)
          if (!internals.destroyed && !each.destroyed) updateInterest.call(internals, each)
      })
    }
    interests.add(wire)
  }
}
