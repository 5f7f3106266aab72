/**
 * Which pieces' hashes a target holds. The source hashes while it seeds and the hashes arrive in
 * batches over the control channel; a piece whose hash is not here yet could not be verified, so it
 * is not asked for. Batches come in order from the source, but nothing here relies on that.
 */
export class KnownHashes {
  private readonly known: Uint8Array

  constructor(readonly pieceCount: number) {
    this.known = new Uint8Array(pieceCount)
  }

  has(piece: number): boolean {
    return this.known[piece] === 1
  }

  /** Marks pieces first .. first + length - 1 known; refuses a range outside the torrent. */
  add(first: number, length: number): void {
    if (!Number.isInteger(first) || !Number.isInteger(length) || first < 0 || length < 0) {
      throw new RangeError(`piece hashes ${first} + ${length}: not a range of pieces`)
    }
    if (first + length > this.pieceCount) {
      throw new RangeError(`piece hashes ${first} + ${length}: the torrent has ${this.pieceCount} pieces`)
    }
    this.known.fill(1, first, first + length)
  }
}
