import type { Torrent } from 'webtorrent'
import { peerOf, type TorrentInternals, type WireInternals } from './webtorrent-internals.js'

/**
 * Keeps one connection per pair of peers. When two peers learn of each other from the tracker at
 * about the same time, each dials the other and webtorrent keeps both (it tells peers apart by
 * address, and an incoming connection comes from an ephemeral port). Two wires to one peer double
 * the requests, the scheduling work and, to the source, the duplicate sends. The connection dialled
 * by the peer with the smaller id survives; both ends see the same two connections and so agree on
 * which one to close. Install before anything else that listens for 'wire'.
 *
 * A closed connection that we dialled is also struck off: webtorrent would re-dial it within a second
 * (a handshake resets its retry count) and again at every tracker answer, each time with a TLS
 * handshake only to be closed again. The peer keeps the connection it dialled to us.
 */
export function dropDuplicateWires(torrent: Torrent, ownPeerId: string): void {
  const internals = torrent as unknown as TorrentInternals
  const struckOff = new Set<string>()
  const addPeer = internals._addPeer.bind(internals)
  internals._addPeer = (peer, type, source) =>
    typeof peer === 'string' && struckOff.has(peer) ? null : addPeer(peer, type, source)
  internals.on('wire', (wire) => {
    const twin = internals.wires.find((w) => w !== wire && !w.destroyed && w.peerId === wire.peerId)
    if (twin === undefined || wire.peerId === null) return
    const smallerDials = wire.peerId < ownPeerId ? 'them' : 'us'
    const dialler = (w: WireInternals) => (peerOf(internals, w)?.type === 'tcpOutgoing' ? 'us' : 'them')
    // Same dialler on both (a reconnect racing the old connection): the older one stays.
    const loser = dialler(wire) === smallerDials && dialler(twin) !== smallerDials ? twin : wire
    const peer = peerOf(internals, loser)
    if (peer?.type === 'tcpOutgoing') {
      struckOff.add(peer.id)
      internals.removePeer(peer.id)
    }
    loser.destroy()
  })
}
