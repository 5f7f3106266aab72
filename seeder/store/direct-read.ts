import { closeSync, constants, openSync, readSync } from 'node:fs'

const ALIGN = 4096
/** Reading back must not move the access times the copy's metadata restores; root may always ask. */
const NO_ATIME = constants.O_NOATIME ?? 0
/** malloc aligns to at least this, so the aligned start is found in at most ALIGN / STEP tries. */
const STEP = 8

/**
 * Reads file ranges past the page cache (O_DIRECT), so a check of what a target wrote reads its
 * disk, not the copy of the same bytes the kernel still holds in memory. O_DIRECT wants the buffer's
 * address aligned, and JavaScript cannot see an address: one buffer is kept for every read, and the
 * offset into it where reads succeed is found once, by trying. A filesystem without O_DIRECT gets
 * ordinary reads; `direct` says which it was.
 */
export class DirectReader {
  private readonly buffer: Buffer
  private shift: number | undefined
  direct = true

  constructor(private readonly maxLength: number) {
    // Room for the aligned start, and for the block boundaries a range can straddle at both ends.
    this.buffer = Buffer.allocUnsafeSlow(maxLength + 3 * ALIGN)
  }

  /** `length` bytes at `offset`; the view is valid until the next read. */
  read(path: string, offset: number, length: number): Buffer {
    if (length > this.maxLength) throw new RangeError(`read of ${length} bytes, at most ${this.maxLength}`)
    const fd = this.open(path)
    try {
      // O_DIRECT reads whole blocks: from the block the range starts in to the one it ends in. A
      // file's end makes the read short, never wrong.
      const lead = this.direct ? offset % ALIGN : 0
      const from = offset - lead
      const start = this.direct ? this.alignedStart(fd, from) : 0
      const span = this.direct ? Math.ceil((lead + length) / ALIGN) * ALIGN : length
      let got = 0
      while (got < span) {
        const n = readSync(fd, this.buffer, start + got, span - got, from + got)
        if (n === 0) break
        got += n
      }
      return this.buffer.subarray(start + lead, start + lead + Math.max(0, Math.min(got - lead, length)))
    } finally {
      closeSync(fd)
    }
  }

  private open(path: string): number {
    if (this.direct) {
      try {
        return openSync(path, constants.O_RDONLY | constants.O_DIRECT | NO_ATIME)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err
        this.direct = false
      }
    }
    return openSync(path, constants.O_RDONLY | NO_ATIME)
  }

  private alignedStart(fd: number, offset: number): number {
    if (this.shift !== undefined) return this.shift
    for (let shift = 0; shift < ALIGN; shift += STEP) {
      try {
        readSync(fd, this.buffer, shift, ALIGN, offset)
        this.shift = shift
        return shift
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err
      }
    }
    throw new Error('no aligned offset for O_DIRECT reads')
  }
}
