import type { Torrent } from 'webtorrent'
import type { TorrentInternals, WireInternals } from './webtorrent-internals.js'

/**
 * Keeps one connection per pair of peers. When two peers learn of each other from the tracker at
 * about the same time, each dials the other and webtorrent keeps both (it tells peers apart by
 * address, and an incoming connection comes from an ephemeral port). Two wires to one peer double
 * the requests, the scheduling work and, to the source, the duplicate sends. The connection dialled
 * by the peer with the smaller id survives; both ends see the same two connections and so agree on
 * which one to close. Install before anything else that listens for 'wire'.
 */
export function dropDuplicateWires(torrent: Torrent, ownPeerId: string): void {
  const internals = torrent as unknown as TorrentInternals
  internals.on('wire', (wire) => {
    const twin = internals.wires.find((w) => w !== wire && !w.destroyed && w.peerId === wire.peerId)
    if (twin === undefined || wire.peerId === null) return
    const smallerDials = wire.peerId < ownPeerId ? 'them' : 'us'
    const dialler = (w: WireInternals) => (dialledByUs(internals, w) ? 'us' : 'them')
    // Same dialler on both (a reconnect racing the old connection): the older one stays.
    const loser = dialler(wire) === smallerDials && dialler(twin) !== smallerDials ? twin : wire
    loser.destroy()
  })
}

function dialledByUs(torrent: TorrentInternals, wire: WireInternals): boolean {
  for (const peer of torrent._peers.values()) if (peer.wire === wire) return peer.type === 'tcpOutgoing'
  return false
}
