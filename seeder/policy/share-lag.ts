/**
 * Which site-mates' shares lag behind this target's own: a share is lagging when this target lacks
 * more of its pieces than of its own share, by more than a margin. Pure: fed with the pieces this
 * target comes to hold.
 *
 * A share's owner that is slower than the rest (a slow download, a busy disk) brings its pieces in
 * late, and every other target would wait for them: measured with one of three targets at a quarter
 * of the others' rate, the fast two crawled at the slow one's pace for the last third of the
 * payload. Once that share lags, the fast targets fetch its pieces over expensive links too, so
 * the slow owner's share shrinks to what it can bring in. Comparing with this target's own share
 * keeps a uniform swarm's economy: there, every share fills at the same pace, and the margin covers
 * pieces in flight and ordinary jitter.
 */
export class ShareLag {
  /** Per rank, the pieces of that share this target does not hold. */
  private readonly lacking: number[]
  private readonly held: Uint8Array
  private heldCount = 0
  private readonly margin: number

  constructor(
    private readonly placement: { rank: number; siteSize: number },
    pieceCount: number,
    pieceLength: number,
  ) {
    const { siteSize } = placement
    this.lacking = Array.from({ length: siteSize }, (_, rank) => shareSize(rank, siteSize, pieceCount))
    this.held = new Uint8Array(pieceCount)
    if (!(pieceLength > 0)) throw new RangeError(`share lag: a piece length of ${pieceLength}`)
    const inFlight = Math.ceil(MIN_LAG_BYTES / pieceLength)
    this.margin = Math.max(inFlight, Math.ceil((pieceCount / siteSize) * LAG_SHARE))
  }

  /** This target verified `piece` (once per piece; repeats are ignored). */
  gained(piece: number): void {
    if (this.held[piece] !== 0) return
    this.held[piece] = 1
    this.heldCount++
    const rank = piece % this.placement.siteSize
    this.lacking[rank] = (this.lacking[rank] ?? 1) - 1
  }

  /** How many pieces of the share of `rank` this target does not hold. */
  lackingOf(rank: number): number {
    return this.lacking[rank] ?? 0
  }

  /**
   * Whether the share of `rank` lags far enough behind this target's own to be fetched by it too.
   * `ownerHeld`, the pieces its owner says it holds (undefined: not connected), must be behind this
   * target's count as well: an owner that is merely late with its share, not slow (it started a
   * second after the others, or lost a core for a while), soon holds as much as everyone else from
   * its site-mates, and its share is then left to it; only a slow owner stays behind.
   */
  lagging(rank: number, ownerHeld?: number): boolean {
    const own = this.lacking[this.placement.rank] ?? 0
    if ((this.lacking[rank] ?? 0) <= own + this.margin) return false
    return ownerHeld === undefined || ownerHeld < this.heldCount - this.margin
  }
}

/**
 * Lag below this many bytes is pieces in flight and jitter, whatever the payload's size: bytes, not
 * pieces, since pieces with a base are as small as 16 KiB (piece-length.ts); 4 MiB is the 4 pieces
 * whole copies always had. Tried with 512 KiB pieces, 4 pieces as the margin made a uniform swarm's
 * source send each of 96 MiB to four targets 1.20 times.
 */
const MIN_LAG_BYTES = 4 << 20
/** And below this part of a share. */
const LAG_SHARE = 0.05

function shareSize(rank: number, siteSize: number, pieceCount: number): number {
  return rank < pieceCount % siteSize ? Math.ceil(pieceCount / siteSize) : Math.floor(pieceCount / siteSize)
}
