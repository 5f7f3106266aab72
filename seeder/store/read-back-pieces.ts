import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import { FanoutError } from '../../shared/errors.js'
import { DirectReader } from './direct-read.js'
import type { StoredFile, StoredFiles } from './locate-span.js'

export interface StoredPieces {
  /** The torrent's store root: each file's `path` is relative to it. */
  root: string
  files: StoredFiles
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
  const reader = new DirectReader(READ_BYTES)
  const started = performance.now()
  const piece = new PieceInProgress(stored)
  for (let fileIndex = 0; fileIndex < stored.files.count; fileIndex++) {
    const file = fileAt(stored.files, fileIndex)
    const path = join(stored.root, file.path)
    for (let position = 0; position < file.length; ) {
      signal.throwIfAborted()
      const want = Math.min(READ_BYTES, file.length - position)
      const data = reader.read(path, position, want)
      if (data.length !== want)
        throw mismatch(stored, file, file.offset + position, want, 'is shorter than it was')
      piece.add(data, fileIndex)
      position += want
      // Each read is a few milliseconds of blocking I/O; the agent still serves the others meanwhile.
      await yieldToEventLoop()
    }
  }
  piece.expectAll()
  return { seconds: (performance.now() - started) / 1000, direct: reader.direct }
}

/**
 * Reads are up to this long whatever the piece length, and pieces are hashed out of them: with a
 * base, pieces are 16 KiB, and a read per piece cost a file open and a system call each.
 */
const READ_BYTES = 1 << 20

/** The piece the stream of file bytes is in: hashed as bytes come, checked once it is whole. */
class PieceInProgress {
  private index = 0
  private hash = createHash('sha1')
  private filled = 0
  private fileIndexes: number[] = []

  constructor(private readonly stored: StoredPieces) {}

  add(data: Buffer, fileIndex: number): void {
    for (let at = 0; at < data.length; ) {
      const take = Math.min(data.length - at, this.lengthOf(this.index) - this.filled)
      this.hash.update(data.subarray(at, at + take))
      if (this.fileIndexes.at(-1) !== fileIndex) this.fileIndexes.push(fileIndex)
      this.filled += take
      at += take
      if (this.filled === this.lengthOf(this.index)) this.check()
    }
  }

  /** The files held fewer bytes than the pieces cover: the last ones were never checked. */
  expectAll(): void {
    const { stored, index } = this
    if (index >= stored.hashes.length) return
    throw new FanoutError('VERIFY_FAILED', `checksum mismatch: the copy ends inside piece ${index}`, {
      path: stored.root,
    })
  }

  private lengthOf(piece: number): number {
    return Math.min(this.stored.pieceLength, this.stored.length - piece * this.stored.pieceLength)
  }

  private check(): void {
    if (this.hash.digest('hex') !== this.stored.hashes[this.index]) throw this.failure()
    this.index++
    this.hash = createHash('sha1')
    this.filled = 0
    this.fileIndexes = []
  }

  /** A piece's hash cannot tell which of the files it spans changed: all of them are named. */
  private failure(): FanoutError {
    const { stored, index } = this
    const files = this.fileIndexes.map((i) => fileAt(stored.files, i))
    const start = index * stored.pieceLength
    if (files.length === 1)
      return mismatch(stored, files[0] as StoredFile, start, this.lengthOf(index), 'differs from the source')
    const paths = files.map((file) => join(stored.root, file.path))
    return new FanoutError(
      'VERIFY_FAILED',
      `checksum mismatch: piece ${index}, in ${paths.join(' or ')}, differs from the source after it was written`,
      { path: paths[0] as string },
    )
  }
}

function fileAt(files: StoredFiles, index: number): StoredFile {
  return { path: files.path(index), offset: files.offset(index), length: files.length(index) }
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
