import { createHash } from 'node:crypto'
import { type PeerRole, readPeerId } from '../shared/peer-id.js'

/** A peer on the tracker's list: all the selection needs is its id (hex, as bittorrent-tracker keeps it). */
export interface ListedPeer {
  peerId: string
}

/** How many peers of other sites one announce gets: a few gateways, not a mesh across the WAN. */
export const CROSS_SITE_PEERS = 2

/**
 * The peer list for one announce: every other peer of the asker's site, plus at most
 * {@link CROSS_SITE_PEERS} of other sites, targets before the source (the source's upload is the
 * scarcest link of all). The source gets only the other sites' peers: its own site's targets dial
 * it. Which gateways is decided by a hash of both ids, so different askers of a site get different
 * gateways and the WAN load spreads, and the same asker gets the same ones again.
 * Ids that readPeerId cannot parse count as targets of site 0. At most `numwant` peers.
 */
export function selectPeers<P extends ListedPeer>(
  peers: readonly P[],
  askerId: string,
  numwant: number,
): P[] {
  const asker = siteOf(askerId)
  const others = peers.filter((p) => p.peerId !== askerId)
  const byHash = (list: P[]) =>
    list
      .map((peer) => ({ peer, rank: rankOf(peer, askerId) }))
      .sort((a, b) => a.rank - b.rank)
      .map((r) => r.peer)
  const cross = byHash(others.filter((p) => siteOf(p.peerId).site !== asker.site))
  const gateways = cross.slice(0, Math.min(CROSS_SITE_PEERS, numwant))
  // Every target of the source's site has the source on its own list and dials it. Were the source
  // to dial them too, each pair would connect twice and one connection would be closed, with the
  // blocks already requested on it: the source then sent those again.
  const same =
    asker.role === 'source' ? [] : byHash(others.filter((p) => siteOf(p.peerId).site === asker.site))
  return [...same.slice(0, Math.max(0, numwant - gateways.length)), ...gateways]
}

function siteOf(peerId: string): { role: PeerRole; site: number } {
  return readPeerId(peerId) ?? { role: 'target', site: 0 }
}

/** Sources sort after every target; among equals, a hash of both ids decides. */
function rankOf(peer: ListedPeer, askerId: string): number {
  const digest = createHash('sha256').update(askerId).update(peer.peerId).digest()
  return (siteOf(peer.peerId).role === 'source' ? 2 ** 32 : 0) + digest.readUInt32BE(0)
}
