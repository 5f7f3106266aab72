import { type PeerRole, readPeerId } from '../shared/peer-id.js'

/** A peer on the tracker's list: all the selection needs is its id (hex, as bittorrent-tracker keeps it). */
export interface ListedPeer {
  peerId: string
}

/** How many peers of other sites one announce gets: a few gateways, not a mesh across the WAN. */
export const CROSS_SITE_PEERS = 2

/**
 * The peer list for one announce: the source first for a target of its site (every such target owns
 * a share of the pieces that it fetches from the source, so it must reach it however large the
 * site), then other peers of the asker's site, plus at most {@link CROSS_SITE_PEERS} of other sites,
 * targets before the source (the source's upload is the scarcest link of all). The source gets
 * only the other sites' peers: its own site's targets dial it. Which peers, beyond the source, is
 * decided by a hash of both ids, so different askers of a site get different site-mates and
 * gateways and the load spreads, and the same asker gets the same ones again.
 * Ids that readPeerId cannot parse count as targets of site 0. At most `numwant` peers.
 *
 * One pass over the swarm, keeping the best few: this runs for every announce, and the swarm may
 * hold thousands of peers (it sorted them all by a sha256 each, 6 ms an announce at 1,000 peers).
 */
export function selectPeers<P extends ListedPeer>(peers: Iterable<P>, askerId: string, numwant: number): P[] {
  const asker = factsOf(askerId)
  const gateways = new Best<P>(Math.min(CROSS_SITE_PEERS, numwant))
  // Every target of the source's site has the source on its own list and dials it. Were the source
  // to dial them too, each pair would connect twice and one connection would be closed, with the
  // blocks already requested on it: the source then sent those again.
  const same = new Best<P>(asker.role === 'source' ? 0 : numwant)
  for (const peer of peers) {
    if (peer.peerId === askerId) continue
    const facts = cachedFactsOf(peer)
    const mixed = mix(facts.tail ^ asker.tail)
    if (facts.site !== asker.site) gateways.offer(peer, facts.role === 'source' ? 2 ** 32 + mixed : mixed)
    else same.offer(peer, facts.role === 'source' ? -1 : mixed)
  }
  const cross = gateways.sorted()
  return [...same.sorted().slice(0, Math.max(0, numwant - cross.length)), ...cross]
}

interface PeerFacts {
  role: PeerRole
  site: number
  /** The id's last 4 bytes, random in ids made by makePeerId: the peer's half of the hash. */
  tail: number
}

function factsOf(peerId: string): PeerFacts {
  const { role, site } = readPeerId(peerId) ?? { role: 'target' as const, site: 0 }
  return { role, site, tail: Number.parseInt(peerId.slice(-8), 16) || 0 }
}

/** bittorrent-tracker keeps one object per listed peer, so its parsed id is worked out once. */
const parsed = new WeakMap<ListedPeer, { peerId: string; facts: PeerFacts }>()

function cachedFactsOf(peer: ListedPeer): PeerFacts {
  const known = parsed.get(peer)
  if (known !== undefined && known.peerId === peer.peerId) return known.facts
  const facts = factsOf(peer.peerId)
  parsed.set(peer, { peerId: peer.peerId, facts })
  return facts
}

/** murmur3's 32-bit finaliser: every bit of the input moves about half the bits of the output. */
function mix(value: number): number {
  let h = value >>> 0
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** The `size` items of lowest rank offered so far, in order: linear in the offers for a small size. */
class Best<T> {
  private readonly items: { item: T; rank: number }[] = []

  constructor(private readonly size: number) {}

  offer(item: T, rank: number): void {
    const { items } = this
    if (items.length >= this.size && rank >= (items.at(-1)?.rank ?? Number.NEGATIVE_INFINITY)) return
    let at = items.length
    while (at > 0 && (items[at - 1]?.rank ?? 0) > rank) at--
    items.splice(at, 0, { item, rank })
    if (items.length > this.size) items.pop()
  }

  sorted(): T[] {
    return this.items.map((entry) => entry.item)
  }
}
