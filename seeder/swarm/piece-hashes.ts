import type { Torrent } from 'webtorrent'
import { PIECE_HASH_LENGTH } from '../../shared/messages.js'
import type { TorrentInternals } from './webtorrent-internals.js'

/**
 * Seeding pieces as they are hashed, on webtorrent 2.8.5 (pinned; see webtorrent-internals.ts).
 *
 * The torrent's piece hashes are placeholders (build-torrent.ts). The source hashes the payload
 * while it already seeds, and marks each piece held as its hash is known; targets are sent the
 * hashes in batches and ask for a piece only once they have its hash (the scheduler's KnownHashes).
 * So no piece is ever checked against a placeholder, and the first bytes leave before the last ones
 * are read: for a payload of terabytes, hashing first would double the time.
 */

/**
 * Call right after `client.add` with `skipVerify`, before the torrent is ready. webtorrent would
 * then take every piece as held; here none is until its hash is known.
 */
export function startWithNoPieces(torrent: Torrent): void {
  const internals = torrent as unknown as TorrentInternals
  internals._markAllVerified = () => {}
}

/** Source: the piece was just hashed from the files it is served from; peers may ask for it now. */
export function seedHashedPiece(torrent: Torrent, piece: number, digest: Buffer): void {
  const internals = torrent as unknown as TorrentInternals
  if (internals.destroyed) return
  internals._hashes[piece] = digest.toString('hex')
  markHeld(internals, piece)
}

/**
 * Target: stores the hashes of `first` onwards (concatenated SHA-1s). With `checkHeld`, each of those
 * pieces already in the store (a staging copy left by an interrupted run) is read and kept if it
 * matches, before anyone is asked for it. Resolves with how many pieces the batch holds.
 */
export async function learnPieceHashes(
  torrent: Torrent,
  first: number,
  digests: Buffer,
  checkHeld: boolean,
): Promise<number> {
  const internals = torrent as unknown as TorrentInternals
  const count = digests.length / PIECE_HASH_LENGTH
  if (!Number.isInteger(count) || first + count > internals._hashes.length) {
    throw new RangeError(`piece hashes ${first} + ${digests.length} bytes do not fit the torrent`)
  }
  for (let i = 0; i < count; i++) {
    const at = i * PIECE_HASH_LENGTH
    internals._hashes[first + i] = digests.toString('hex', at, at + PIECE_HASH_LENGTH)
  }
  if (checkHeld) {
    for (let piece = first; piece < first + count; piece++) {
      if (internals.destroyed) break
      if (internals.bitfield.get(piece)) continue
      if (await verifyPiece(internals, piece)) markHeld(internals, piece)
    }
  }
  return count
}

function verifyPiece(internals: TorrentInternals, piece: number): Promise<boolean> {
  return new Promise((resolve) => {
    // An error is a piece not there (or the torrent closing): not held, either way.
    internals._verifyPiece(piece, (err, verified) => resolve(err === null && verified === true))
  })
}

/** What webtorrent does once a downloaded piece is verified and stored. */
function markHeld(internals: TorrentInternals, piece: number): void {
  internals._markVerified(piece)
  for (const wire of internals.wires) wire.have(piece)
  internals._checkDone()
}
