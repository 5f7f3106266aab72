/**
 * Which peers keep sending data that fails its piece hash. Pure: fed with the blocks asked of each
 * peer and with each piece's outcome.
 *
 * Between our agents every byte is authenticated on the wire (TLS with the transfer's key), so a
 * piece that fails its hash was wrong where it came from: a peer with a broken disk or memory, or one
 * that misbehaves. Such a peer is dropped once it has had a part in `limit` failed pieces, and its
 * pieces then come from someone else. Without encryption a corrupted segment could in principle get
 * past TCP's checksum, so a peer is never dropped for a single failure.
 */
export class PieceBlame {
  /** Per piece being fetched, the peers asked for any of its blocks. */
  private readonly askedOf = new Map<number, Set<string>>()
  private readonly failures = new Map<string, number>()
  private readonly dropped = new Set<string>()

  constructor(private readonly limit = 2) {}

  /** `peer` was asked for a block of `piece`. */
  asked(piece: number, peer: string): void {
    let peers = this.askedOf.get(piece)
    if (peers === undefined) {
      peers = new Set()
      this.askedOf.set(piece, peers)
    }
    peers.add(peer)
  }

  /** The piece is held: nobody is to blame for it. */
  verified(piece: number): void {
    this.askedOf.delete(piece)
  }

  /**
   * The piece failed its hash and will be fetched afresh: every peer asked for a block of it shares
   * the blame. Returns the peers that have just reached the limit, each once.
   */
  failed(piece: number): string[] {
    const peers = this.askedOf.get(piece) ?? new Set<string>()
    this.askedOf.delete(piece)
    const reached: string[] = []
    for (const peer of peers) {
      const count = (this.failures.get(peer) ?? 0) + 1
      this.failures.set(peer, count)
      if (count >= this.limit && !this.dropped.has(peer)) {
        this.dropped.add(peer)
        reached.push(peer)
      }
    }
    return reached
  }

  /** Whether `peer` was dropped: it is not to be connected to again. */
  isDropped(peer: string): boolean {
    return this.dropped.has(peer)
  }

  /** How many failed pieces `peer` had a part in. */
  failuresOf(peer: string): number {
    return this.failures.get(peer) ?? 0
  }
}
