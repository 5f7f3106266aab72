import { createHash, type Hash } from 'node:crypto'
import { writeSync } from 'node:fs'
import { FanoutError } from '../../shared/errors.js'

/**
 * Writes a stream of unknown length (a hot backup) to a spool file and hashes it piece by piece on
 * the way, so each piece is hashed once, from memory, and can be seeded the moment it is on disk.
 * The last piece is padded with zeros to a whole piece: every piece a peer asks for is then as
 * long as the torrent says, and a target keeps only the stream's own bytes.
 */
export class SpoolPieces {
  private written = 0
  private piece = 0
  private hash: Hash = createHash('sha1')

  constructor(
    private readonly fd: number,
    private readonly pieceLength: number,
    /** The torrent's size: the most the stream may grow to. */
    private readonly capacity: number,
    private readonly onPiece: (index: number, digest: Buffer) => void,
  ) {}

  /** Spools and hashes `chunk`; every piece it completes is reported, in order. */
  write(chunk: Buffer): void {
    if (this.written + chunk.length > this.capacity) {
      throw new FanoutError(
        'BACKUP_FAILED',
        `the backup grew past ${this.capacity} bytes, the most this run was sized for`,
      )
    }
    let at = 0
    while (at < chunk.length) {
      const room = this.pieceLength - (this.written % this.pieceLength)
      const part = chunk.subarray(at, at + room)
      this.put(part)
      at += part.length
    }
  }

  /** Pads and reports the last piece. Returns the stream's length and how many pieces hold it. */
  finish(): { bytes: number; pieces: number } {
    const bytes = this.written
    const partial = bytes % this.pieceLength
    if (partial > 0) this.put(Buffer.alloc(this.pieceLength - partial))
    return { bytes, pieces: this.piece }
  }

  private put(part: Buffer): void {
    let done = 0
    while (done < part.length) done += writeSync(this.fd, part, done, part.length - done, this.written + done)
    this.hash.update(part)
    this.written += part.length
    if (this.written % this.pieceLength === 0) {
      this.onPiece(this.piece++, this.hash.digest())
      this.hash = createHash('sha1')
    }
  }
}
