import type { Torrent } from 'webtorrent'
import type { AgentReport } from '../../shared/messages.js'
import { readPeerId } from '../../shared/peer-id.js'
import { PieceBlame } from '../policy/piece-blame.js'
import { peerOf, type TorrentInternals, type WireInternals } from './webtorrent-internals.js'

/** What a target tells when it drops a peer (the `peerDropped` report). */
export type DroppedPeer = Omit<Extract<AgentReport, { type: 'peerDropped' }>, 'type'>

// webtorrent 2.8.5 says a piece failed its hash only in this warning (torrent.js, _request).
const HASH_FAILED = /^Piece (\d+) failed verification$/

/**
 * Drops a peer whose pieces keep failing their hash (policy/piece-blame.ts): its connection is
 * closed, it is never dialled again and its own dials are refused, so what it holds stops counting
 * (the scheduler's holder counts follow the connection) and its pieces come from someone else. A
 * target with a broken disk would otherwise go on serving the same bad piece to its site-mates,
 * which ask the source only for pieces no site-mate holds, and they would stall.
 */
export function dropBadPeers(torrent: Torrent, onDropped: (dropped: DroppedPeer) => void): void {
  const internals = torrent as unknown as TorrentInternals
  const blame = new PieceBlame()
  const barred = new Set<string>()

  const request = internals._request.bind(internals)
  internals._request = (wire, index, hotswap) => {
    const requested = request(wire, index, hotswap)
    if (requested && wire.peerId !== null) blame.asked(index, wire.peerId)
    return requested
  }
  const addPeer = internals._addPeer.bind(internals)
  internals._addPeer = (peer, type, source) =>
    typeof peer === 'string' && barred.has(peer) ? null : addPeer(peer, type, source)

  internals.on('verified', (index) => blame.verified(index))
  internals.on('warning', (err) => {
    const match = HASH_FAILED.exec(err.message)
    if (match === null) return
    for (const peerId of blame.failed(Number(match[1]))) {
      const address = drop(internals, peerId, barred)
      onDropped({ peer: readPeerId(peerId), address, failedPieces: blame.failuresOf(peerId) })
    }
  })
  internals.on('wire', (wire) => {
    if (wire.peerId !== null && blame.isDropped(wire.peerId)) wire.destroy()
  })
}

/** Closes every connection to the peer and bars its address from being dialled; returns the address. */
function drop(torrent: TorrentInternals, peerId: string, barred: Set<string>): string | null {
  let address: string | null = null
  for (const wire of torrent.wires.filter((w: WireInternals) => w.peerId === peerId)) {
    const peer = peerOf(torrent, wire)
    // An IPv4 peer on a dual-stack socket shows as ::ffff:a.b.c.d.
    address ??= wire.remoteAddress?.replace(/^::ffff:(?=\d+\.)/, '') ?? null
    // Agents dial over TCP only; any connection we dialled is one webtorrent would dial again.
    if (peer?.type.endsWith('Outgoing') === true) {
      barred.add(peer.id)
      torrent.removePeer(peer.id)
    }
    wire.destroy()
  }
  return address
}
