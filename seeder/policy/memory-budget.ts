/**
 * What an agent may hold of the payload in memory, so that its peak RSS stays flat however large the
 * payload and however slow its disk. Pieces grow to 16 MiB for large payloads (piece-length.ts), so
 * both bounds are in bytes, not pieces.
 */

/** webtorrent's read cache of whole pieces; its default of 20 slots is 320 MiB at 16 MiB pieces. */
const PIECE_CACHE_BYTES = 16 << 20

/**
 * Verified pieces waiting for their write to finish. A target whose disk is slower than its link
 * (20,000 small files to create, or simply a slow disk) otherwise keeps requesting, and the pieces
 * pile up in memory: 64-84 MiB of them measured on a local run of the bench's tree.
 */
const WRITE_BACKLOG_BYTES = 32 << 20

export function pieceCacheSlots(pieceLength: number): number {
  return Math.max(1, Math.floor(PIECE_CACHE_BYTES / pieceLength))
}

/** Whether a target may request more blocks while `backlogBytes` of pieces still wait for the disk. */
export function mayRequestMore(backlogBytes: number, pieceLength: number): boolean {
  // One piece always fits, or pieces larger than the budget would never be written at all.
  return backlogBytes < Math.max(WRITE_BACKLOG_BYTES, pieceLength)
}
