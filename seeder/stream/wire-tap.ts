import { createHash, type Hash } from 'node:crypto'
import { Transform, type TransformCallback } from 'node:stream'

/** Counts the bytes on the wire and, for the in-flight checksum, hashes them (SHA-256). */
export class WireTap extends Transform {
  bytes = 0
  private readonly hash: Hash | undefined

  constructor(hashBytes: boolean) {
    super()
    this.hash = hashBytes ? createHash('sha256') : undefined
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length
    this.hash?.update(chunk)
    done(null, chunk)
  }

  /** The hex SHA-256 of everything that went through; null when not hashing. Call once, at the end. */
  digest(): string | null {
    return this.hash?.digest('hex') ?? null
  }
}
