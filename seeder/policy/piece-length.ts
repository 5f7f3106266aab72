const MiB = 1 << 20
const MAX_PIECE = 16 * MiB
/** BitTorrent's block: a piece smaller than one request would only add messages. */
const BLOCK = 16 * 1024

/** How pieces are sized: bounds and the piece count aimed at. */
interface PieceRule {
  min: number
  pieces: number
}

/** The smallest piece of a run without a base, unless its fleet needs more pieces than that gives. */
export const WHOLE_COPY_MIN_PIECE = MiB

/** Enough pieces for every target to have something to trade early; few enough to keep bitfields small. */
const WHOLE_COPY: PieceRule = { min: WHOLE_COPY_MIN_PIECE, pieces: 2048 }

/**
 * With a base, a piece that a changed file touches is fetched whole, so a changed file costs its
 * own bytes and up to two pieces around it: pieces are made as small as BitTorrent's 16 KiB block,
 * up to about 16,384 of them. Piece picking walks every piece (pick-piece.ts), which decides the
 * ceiling: at 16,384 pieces a pick costs tens of microseconds.
 */
const INCREMENTAL: PieceRule = { min: BLOCK, pieces: 16_384 }

/**
 * Pieces per target, at least. The source hands each target its own share of the pieces to pass on
 * (placement.ts), and a target passes a piece on only once it holds all of it: with P pieces and N
 * targets the source's first pieces are whole after about N / P of its time, and until then the
 * targets' uploads idle. 8 MiB to 4 targets at 2 Mbit/s took 70 s with 8 pieces, 50 s with 64 and
 * 41 s with 256 (S/B 34 s). Each piece costs CPU of its own (a 256 MiB local run to 4 targets
 * spent 19% more with 2,048 pieces than with 256), so the count follows the fleet.
 */
const PIECES_PER_TARGET = 32

/**
 * And at most this many for the fleet's sake: each piece is announced to every connected peer, and
 * on the 2-core bed 32 MiB to 32 targets in 1,024 pieces cost the agents half as much CPU again as
 * in 32 pieces (and no time), while 64 targets with 2,048 pieces starved some of them for minutes.
 */
const MOST_WANTED = 512

/**
 * Piece size for a payload of `bytes` fetched by `targets`: a power of two between 16 KiB and
 * 16 MiB, at least the rule's minimum and aiming at its piece count, then halved while a fleet of
 * more than one target has fewer than its pieces per target (512 pieces at most). Large payloads would otherwise carry
 * hundreds of thousands of hashes in every bitfield.
 */
export function choosePieceLength(
  bytes: number,
  opts: { incremental?: boolean; targets?: number | undefined } = {},
): number {
  const rule = opts.incremental === true ? INCREMENTAL : WHOLE_COPY
  const targets = opts.targets ?? 1
  // One target passes nothing on, so it gains nothing from small pieces.
  const wanted = targets > 1 ? Math.min(MOST_WANTED, PIECES_PER_TARGET * targets) : 0
  let length = rule.min
  while (length < MAX_PIECE && bytes / length > rule.pieces) length *= 2
  while (length > BLOCK && bytes / length < wanted) length /= 2
  return length
}
