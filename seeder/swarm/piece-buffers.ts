import type { BlockSink } from './piece-message-router.js'
import type { PieceInternals, TorrentPiecesInternals, WireRequestsInternals } from './webtorrent-internals.js'

interface HeldPiece {
  piece: PieceInternals
  bytes: Buffer
}

const heldByTorrent = new WeakMap<TorrentPiecesInternals, Map<number, HeldPiece>>()

/**
 * The place in its piece's buffer for a block this wire asked for, or null when nobody asked for it
 * or its piece is already joined or verified (then it arrives the old way, and webtorrent drops it).
 *
 * Each piece being fetched gets one buffer, allocated when its first block starts to arrive and let
 * go once the piece is verified. A piece that fails its hash is replaced by webtorrent with a new
 * Piece, which gets a new buffer; the old one is closed, so a late block never lands in bytes that
 * are being hashed or written.
 */
export function blockSink(
  torrent: TorrentPiecesInternals,
  wire: WireRequestsInternals,
  index: number,
  begin: number,
  length: number,
): BlockSink | null {
  const piece = torrent.pieces[index]
  if (piece === null || piece === undefined || piece._flushed || begin + length > piece.length) return null
  if (!wire.requests.some((r) => r.piece === index && r.offset === begin && r.length === length)) return null
  const held = heldPieces(torrent)
  let entry = held.get(index)
  if (entry === undefined || entry.piece !== piece) {
    // Every byte is written by a block before the piece is joined, so no need to zero it.
    entry = { piece, bytes: Buffer.allocUnsafeSlow(piece.length) }
    held.set(index, entry)
  }
  const own = entry
  return {
    bytes: own.bytes.subarray(begin, begin + length),
    open: () => !own.piece._flushed && torrent.pieces[index] === own.piece,
  }
}

function heldPieces(torrent: TorrentPiecesInternals): Map<number, HeldPiece> {
  let held = heldByTorrent.get(torrent)
  if (held === undefined) {
    const pieces = new Map<number, HeldPiece>()
    torrent.on('verified', (index: number) => pieces.delete(index))
    heldByTorrent.set(torrent, pieces)
    held = pieces
  }
  return held
}
