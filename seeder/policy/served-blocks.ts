import type { ServedCounts } from '../../shared/messages.js'

/**
 * What a seed handed to its connections, and how much of it it had handed over before (a block
 * queued on a connection that then closed counts although it never left): the measure of whether
 * the source put each byte on its expensive uplink once, as the placement intends. Blocks are
 * counted by the payload offset they start at, so a block is the same block whichever piece length
 * was chosen.
 *
 * One bit per block of `blockLength`: 2 MiB of bits for 2 TiB at 128 KiB blocks.
 */
export class ServedBlocks {
  private bytes = 0
  /** Bytes of blocks that had been handed over before (to this peer or another). */
  private repeatedBytes = 0
  private readonly sent: Uint8Array

  constructor(
    totalBytes: number,
    private readonly blockLength: number,
  ) {
    this.sent = new Uint8Array(Math.ceil(Math.ceil(totalBytes / blockLength) / 8))
  }

  record(payloadOffset: number, length: number): void {
    this.bytes += length
    const block = Math.floor(payloadOffset / this.blockLength)
    const byte = block >> 3
    const bit = 1 << (block & 7)
    const before = this.sent[byte]
    if (before === undefined) return
    if (before & bit) this.repeatedBytes += length
    else this.sent[byte] = before | bit
  }

  counts(): ServedCounts {
    return { bytes: this.bytes, repeatedBytes: this.repeatedBytes }
  }
}
