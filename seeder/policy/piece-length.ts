const MiB = 1 << 20
const MAX_PIECE = 16 * MiB

/** How pieces are sized: bounds and the piece count aimed at. */
interface PieceRule {
  min: number
  pieces: number
}

/** The smallest piece of a run without a base. */
export const WHOLE_COPY_MIN_PIECE = MiB

/** Enough pieces for every target to have something to trade early; few enough to keep bitfields small. */
const WHOLE_COPY: PieceRule = { min: WHOLE_COPY_MIN_PIECE, pieces: 2048 }

/**
 * With a base, a piece that a changed file touches is fetched whole, so a changed file costs its
 * own bytes and up to two pieces around it: pieces are made as small as BitTorrent's 16 KiB block,
 * up to about 16,384 of them. Piece picking walks every piece (pick-piece.ts), which decides the
 * ceiling: at 16,384 pieces a pick costs tens of microseconds.
 */
const INCREMENTAL: PieceRule = { min: 16 * 1024, pieces: 16_384 }

/**
 * Piece size for a payload of `bytes`: a power of two between the rule's minimum and 16 MiB, aiming
 * at its piece count. Small pieces spread faster through a swarm; large payloads would otherwise
 * carry hundreds of thousands of hashes in every torrent and bitfield.
 */
export function choosePieceLength(bytes: number, opts: { incremental?: boolean } = {}): number {
  const rule = opts.incremental === true ? INCREMENTAL : WHOLE_COPY
  let length = rule.min
  while (length < MAX_PIECE && bytes / length > rule.pieces) length *= 2
  return length
}
