const MIN_PIECE = 1 << 20
const MAX_PIECE = 16 << 20
/** Enough pieces for every target to have something to trade early; few enough to keep bitfields small. */
const TARGET_PIECES = 2048

/**
 * Piece size for a payload of `bytes`: a power of two between 1 MiB and 16 MiB, aiming at about
 * 2,048 pieces. Small pieces spread faster through a swarm; large payloads would otherwise carry
 * hundreds of thousands of hashes in every torrent and bitfield.
 */
export function choosePieceLength(bytes: number): number {
  let length = MIN_PIECE
  while (length < MAX_PIECE && bytes / length > TARGET_PIECES) length *= 2
  return length
}
