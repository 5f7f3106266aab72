import { PIECE_HASH_LENGTH, type PieceHashes } from '../../shared/messages.js'

/**
 * Groups the source's piece hashes into batches for the SSH channel. A batch goes at least every
 * `maxWaitMs`, and sooner while it is as long as everything sent before it: 1, 1, 2, 4, 8… pieces.
 * A target can only fetch pieces whose hash it has, so at the start it gets the first ones at once,
 * not one piece's worth and then nothing until the timer; a run sends only about log2(pieces)
 * batches more than the timer alone would.
 */
/**
 * Often enough that a target rarely waits for a hash (the swarm's pieces, the stream's read-back
 * chunks), rarely enough to keep the channel quiet.
 */
export const HASH_BATCH_MS = 200

export class HashBatches {
  private batch: Buffer[] = []
  private first = 0
  private sentAt = Number.NEGATIVE_INFINITY

  constructor(private readonly maxWaitMs: number = HASH_BATCH_MS) {}

  /** Adds the next piece's digest; returns the batch to send now, if one is due. */
  add(digest: Buffer, now: number): PieceHashes | undefined {
    if (digest.length !== PIECE_HASH_LENGTH) throw new Error(`a piece hash is ${PIECE_HASH_LENGTH} bytes`)
    this.batch.push(digest)
    const due = now - this.sentAt >= this.maxWaitMs || this.batch.length >= this.first
    return due ? this.flush(now) : undefined
  }

  /** The hashes not sent yet, if any. */
  flush(now: number): PieceHashes | undefined {
    if (this.batch.length === 0) return undefined
    const hashes = { first: this.first, digests: Buffer.concat(this.batch).toString('base64') }
    this.first += this.batch.length
    this.batch = []
    this.sentAt = now
    return hashes
  }
}
