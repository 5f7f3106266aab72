import { createHash } from 'node:crypto'
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import { FanoutError } from '../../shared/errors.js'
import { CHUNK_LENGTH, PIECE_HASH_LENGTH } from '../../shared/messages.js'
import { DirectReader } from './direct-read.js'

/** A stretch of file data on this host's disk, numbered as the source numbered its hashes. */
export interface DiskChunk {
  index: number
  path: string
  offset: number
  length: number
}

/**
 * Checks what a target wrote against the hashes the source took while it read the data: each chunk
 * is re-read from the disk (DirectReader) as soon as it is written and its hash is known, so the
 * check runs alongside the transfer and only the last chunks are left for the end. The first
 * mismatch is kept and reported by `finish`.
 */
export class ReadBack {
  private readonly digests: Buffer[] = []
  private readonly written = new Map<number, DiskChunk>()
  private readonly ready: DiskChunk[] = []
  private readonly reader = new DirectReader(CHUNK_LENGTH)
  private failure: FanoutError | undefined
  private running: Promise<void> = Promise.resolve()
  private draining = false
  private chunksWritten = 0
  private readMs = 0

  /** Hashes from the source: PIECE_HASH_LENGTH bytes per chunk, from chunk `first` on. */
  learn(first: number, digests: Buffer): void {
    for (let i = 0; i * PIECE_HASH_LENGTH < digests.length; i++) {
      const index = first + i
      this.digests[index] = digests.subarray(i * PIECE_HASH_LENGTH, (i + 1) * PIECE_HASH_LENGTH)
      const chunk = this.written.get(index)
      if (chunk !== undefined) this.enqueue(chunk)
    }
  }

  /** A chunk whose bytes are all written. */
  wrote(chunk: DiskChunk): void {
    this.chunksWritten = Math.max(this.chunksWritten, chunk.index + 1)
    if (this.digests[chunk.index] !== undefined) this.enqueue(chunk)
    else this.written.set(chunk.index, chunk)
  }

  /**
   * Once everything is written and every hash sent: checks what is left and resolves with the
   * seconds spent reading back; rejects with VERIFY_FAILED naming the file on any mismatch.
   */
  async finish(): Promise<{ seconds: number; direct: boolean }> {
    if (this.digests.length !== this.chunksWritten) {
      throw new FanoutError(
        'VERIFY_FAILED',
        `the source hashed ${this.digests.length} chunks of data, ${this.chunksWritten} arrived`,
      )
    }
    if (this.written.size > 0) throw new FanoutError('VERIFY_FAILED', 'a chunk arrived without its hash')
    await this.running
    if (this.failure !== undefined) throw this.failure
    return { seconds: this.readMs / 1000, direct: this.reader.direct }
  }

  private enqueue(chunk: DiskChunk): void {
    this.written.delete(chunk.index)
    this.ready.push(chunk)
    if (this.draining) return
    this.draining = true
    this.running = this.drain()
  }

  private async drain(): Promise<void> {
    try {
      for (let chunk = this.ready.shift(); chunk !== undefined; chunk = this.ready.shift()) {
        // Yields between chunks: each read is a few milliseconds of blocking I/O.
        await yieldToEventLoop()
        if (this.failure !== undefined) continue
        const started = performance.now()
        try {
          this.check(chunk)
        } catch (err) {
          this.failure = err as FanoutError
        }
        this.readMs += performance.now() - started
      }
    } finally {
      // Synchronously after the queue was found empty, so a chunk enqueued later starts a new drain.
      this.draining = false
    }
  }

  private check(chunk: DiskChunk): void {
    const data = this.reader.read(chunk.path, chunk.offset, chunk.length)
    const expected = this.digests[chunk.index] as Buffer
    if (data.length !== chunk.length || !createHash('sha1').update(data).digest().equals(expected)) {
      throw new FanoutError(
        'VERIFY_FAILED',
        `checksum mismatch: ${chunk.path} differs from the source at bytes ${chunk.offset}-${chunk.offset + chunk.length - 1} after it was written`,
        { path: chunk.path },
      )
    }
  }
}
