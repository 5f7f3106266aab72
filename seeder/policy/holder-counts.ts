/**
 * Per piece, how many live site-mates hold it: what rarest-first ranks by, and what keeps a piece
 * that a site-mate could hand over off the expensive links. Pure: one MateHoldings per connection
 * to a site-mate, fed from its bitfield and have messages.
 *
 * A mate that is not live (cut off, or stuck; the caller decides) keeps its record but stops
 * counting, so that what it holds can be fetched elsewhere; it counts again once live.
 */
export class HolderCounts {
  private readonly counts: Uint16Array
  private readonly present = new Set<MateHoldings>()

  constructor(readonly pieceCount: number) {
    this.counts = new Uint16Array(pieceCount)
  }

  holders(piece: number): number {
    return this.counts[piece] ?? 0
  }

  /** A new connection to the site-mate of this rank; it holds nothing and is live until told otherwise. */
  addMate(rank: number): MateHoldings {
    const mate = new MateHoldings(rank, this.counts, () => this.present.delete(mate))
    this.present.add(mate)
    return mate
  }

  mates(): Iterable<MateHoldings> {
    return this.present
  }
}

export class MateHoldings {
  /** 1 for each piece the mate has said it holds, so a bitfield or close can be undone exactly. */
  private readonly held: Uint8Array
  private heldCount = 0
  private live = true

  constructor(
    readonly rank: number,
    private readonly counts: Uint16Array,
    private readonly onRemove: () => void,
  ) {
    this.held = new Uint8Array(counts.length)
  }

  /** How many pieces the mate has said it holds. */
  get heldPieces(): number {
    return this.heldCount
  }

  get complete(): boolean {
    return this.heldCount === this.held.length
  }

  setHas(piece: number, has: boolean): void {
    const now = has ? 1 : 0
    const before = this.held[piece]
    if (before === undefined || now === before) return
    this.held[piece] = now
    this.heldCount += now - before
    if (this.live) this.add(piece, now - before)
  }

  /** Returns whether that changed anything. */
  setLive(live: boolean): boolean {
    if (this.live === live) return false
    this.live = live
    for (let piece = 0; piece < this.held.length; piece++) {
      if (this.held[piece] === 1) this.add(piece, live ? 1 : -1)
    }
    return true
  }

  /** The connection closed: whatever it held no longer counts. */
  remove(): void {
    this.setLive(false)
    this.onRemove()
  }

  private add(piece: number, change: number): void {
    this.counts[piece] = (this.counts[piece] ?? 0) + change
  }
}
