import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import { FanoutError } from '../../shared/errors.js'
import { DirectReader } from './direct-read.js'
import { locateSpan, type StoredFile } from './locate-span.js'

export interface StoredPieces {
  /** The torrent's store root: each file's `path` is relative to it. */
  root: string
  files: readonly StoredFile[]
  pieceLength: number
  /** Total payload bytes. */
  length: number
  /** Each piece's SHA-1, hex, as the source hashed it. */
  hashes: readonly string[]
}

/**
 * The swarm's read-back check: every piece re-read from the staging copy on disk (past the page
 * cache where the filesystem allows) and checked against the source's hash, once the target holds
 * them all and before anything is renamed into place. Pieces were verified as they arrived; this
 * catches what the disk did to them afterwards. Rejects with VERIFY_FAILED naming the file.
 */
export async function readBackPieces(
  stored: StoredPieces,
  signal: AbortSignal,
): Promise<{ seconds: number; direct: boolean }> {
  const reader = new DirectReader(stored.pieceLength)
  const started = performance.now()
  for (let piece = 0; piece < stored.hashes.length; piece++) {
    signal.throwIfAborted()
    const start = piece * stored.pieceLength
    const length = Math.min(stored.pieceLength, stored.length - start)
    const hash = createHash('sha1')
    const spans = locateSpan(stored.files, start, length)
    for (const span of spans) {
      const file = stored.files[span.fileIndex] as StoredFile
      const data = reader.read(join(stored.root, file.path), span.fileOffset, span.length)
      if (data.length !== span.length) throw mismatch(stored, file, start, length, 'is shorter than it was')
      hash.update(data)
    }
    if (hash.digest('hex') !== stored.hashes[piece]) {
      // A piece's hash cannot tell which of the files it spans changed: all of them are named.
      if (spans.length > 1) {
        const paths = spans.map((span) =>
          join(stored.root, (stored.files[span.fileIndex] as StoredFile).path),
        )
        throw new FanoutError(
          'VERIFY_FAILED',
          `checksum mismatch: piece ${piece}, in ${paths.join(' or ')}, differs from the source after it was written`,
          { path: paths[0] as string },
        )
      }
      const only = stored.files[spans[0]?.fileIndex ?? 0] as StoredFile
      throw mismatch(stored, only, start, length, 'differs from the source')
    }
    // Each piece is a few milliseconds of blocking reads; the agent still serves the others meanwhile.
    await yieldToEventLoop()
  }
  return { seconds: (performance.now() - started) / 1000, direct: reader.direct }
}

function mismatch(stored: StoredPieces, file: StoredFile, start: number, length: number, what: string) {
  const path = join(stored.root, file.path)
  const at = Math.max(0, start - file.offset)
  return new FanoutError(
    'VERIFY_FAILED',
    `checksum mismatch: ${path} ${what} at bytes ${at}-${at + length - 1} after it was written`,
    { path },
  )
}
