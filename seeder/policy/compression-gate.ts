/** A block that shrinks by less than this is not worth compressing. */
const WORTHWHILE = 0.95
/** After this many incompressible blocks in a row skipped, one is tried again. */
const MAX_SKIP = 64

/**
 * Decides which blocks of a stream are worth compressing. Incompressible data (media, encrypted or
 * already compressed files) costs a core per 40 MiB/s in gzip for nothing, which would make a fast
 * link wait for the compressor: after a block that did not shrink, the next ones go as they are,
 * twice as many each time it happens again, up to MAX_SKIP, and the data is sampled again after each
 * run, so a tree that turns compressible further on is compressed again.
 */
export class CompressionGate {
  private skipUntil = 0
  private skipRun = 1

  shouldTry(block: number): boolean {
    return block >= this.skipUntil
  }

  record(block: number, rawLength: number, compressedLength: number): void {
    if (compressedLength <= rawLength * WORTHWHILE) {
      this.skipRun = 1
      return
    }
    this.skipUntil = block + 1 + this.skipRun
    this.skipRun = Math.min(this.skipRun * 2, MAX_SKIP)
  }
}
