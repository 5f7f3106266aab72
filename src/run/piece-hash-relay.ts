import { PIECE_HASH_LENGTH, type PieceHashes } from '../../shared/messages.js'

/**
 * Carries the source's piece hashes to the targets (the torrent holds placeholders, see
 * seeder/swarm/piece-hashes.ts). The source reports them in batches while it hashes; a target told to
 * fetch gets everything known so far in one message, then each later batch as it comes. All go to
 * a target in piece order, over the one channel, so none is missed between the two.
 */
export class PieceHashRelay {
  private readonly batches: Buffer[] = []
  private known = 0
  private readonly listeners: ((hashes: PieceHashes) => void)[] = []

  /** A batch from the source; batches must follow each other without a gap. */
  add({ first, digests }: PieceHashes): void {
    if (first !== this.known) throw new Error(`piece hashes from ${first}, expected ${this.known}`)
    const bytes = Buffer.from(digests, 'base64')
    this.batches.push(bytes)
    this.known += bytes.length / PIECE_HASH_LENGTH
    for (const listener of this.listeners) listener({ first, digests })
  }

  /** Sends what is known now (if anything), then every later batch, to `send`. */
  follow(send: (hashes: PieceHashes) => void): void {
    if (this.known > 0) send({ first: 0, digests: Buffer.concat(this.batches).toString('base64') })
    this.listeners.push(send)
  }
}
