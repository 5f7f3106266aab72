import { createHash, type Hash } from 'node:crypto'
import { closeSync, constants, readSync } from 'node:fs'
import { FanoutError } from '../../shared/errors.js'
import { timeSlices } from '../control/time-slices.js'
import { openWithoutAtime } from '../store/open-without-atime.js'
import type { PayloadFiles } from './scan-tree.js'

const READ_SIZE = 1 << 20

export interface HashOptions {
  /** Bytes hashed so far, after every read. */
  onProgress?: (hashedBytes: number) => void
  /** Each piece's SHA-1 as soon as it is known, in order: the source seeds a piece from then on. */
  onPiece?: (index: number, digest: Buffer) => void
  signal?: AbortSignal
}

/**
 * SHA-1 of every piece of the concatenated files, read in place (no staging copy). Pieces span file
 * boundaries, as BitTorrent v1 requires. A file that changes size while it is read makes the torrent
 * a lie, so that aborts instead of producing a copy nobody could verify.
 *
 * One buffer is reused for every read: a stream per file would allocate a fresh 1 MiB buffer per
 * file, and for a datadir of 20,000 small files the garbage collector then costs more than hashing.
 * Files are opened and read synchronously, in time slices (time-slices.ts): through the thread pool,
 * the three calls per small file cost more than hashing it.
 */
/**
 * The source hashes while it serves, and at a target's start every step (its announce, the TLS and
 * BitTorrent handshakes, the first request) waits for the source's event loop: with 20 ms slices
 * they took up to 0.1 s longer. A yield costs microseconds; one per 4 ms is well under 1%.
 */
const HASH_SLICE_MS = 4

export async function hashPieces(
  files: PayloadFiles,
  pieceLength: number,
  { onProgress = () => {}, onPiece = () => {}, signal }: HashOptions = {},
): Promise<Buffer> {
  const digests: Buffer[] = []
  const buffer = Buffer.allocUnsafe(READ_SIZE)
  let hash: Hash = createHash('sha1')
  let filled = 0
  let hashedBytes = 0
  const finishPiece = () => {
    const digest = hash.digest()
    digests.push(digest)
    onPiece(digests.length - 1, digest)
  }
  const consume = (chunk: Buffer) => {
    let offset = 0
    while (offset < chunk.length) {
      const take = Math.min(pieceLength - filled, chunk.length - offset)
      hash.update(chunk.subarray(offset, offset + take))
      filled += take
      offset += take
      if (filled === pieceLength) {
        finishPiece()
        hash = createHash('sha1')
        filled = 0
      }
    }
  }
  const breathe = timeSlices(HASH_SLICE_MS)
  for (const file of files) {
    signal?.throwIfAborted()
    const fd = openWithoutAtime(file.absPath, constants.O_RDONLY)
    try {
      let readFromFile = 0
      for (;;) {
        const bytesRead = readSync(fd, buffer, 0, READ_SIZE, null)
        if (bytesRead === 0) break
        readFromFile += bytesRead
        consume(buffer.subarray(0, bytesRead))
        hashedBytes += bytesRead
        onProgress(hashedBytes)
        await breathe()
        signal?.throwIfAborted()
      }
      if (readFromFile !== file.size) {
        throw new FanoutError(
          'SOURCE_CHANGED',
          `${file.absPath} changed size while being read (${file.size} → ${readFromFile})`,
          { path: file.absPath },
        )
      }
    } finally {
      closeSync(fd)
    }
  }
  if (filled > 0) finishPiece()
  return Buffer.concat(digests)
}
