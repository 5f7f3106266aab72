import { createHash } from 'node:crypto'
import { closeSync, constants, readSync } from 'node:fs'
import type { Manifest } from '../../shared/messages.js'
import { timeSlices } from '../control/time-slices.js'
import { openWithoutAtime } from '../store/open-without-atime.js'
import type { PayloadFiles } from './scan-tree.js'

const READ_BYTES = 1 << 20

/**
 * Gives each payload file's manifest entry the SHA-256 of its bytes, so that a target can find the
 * same content in its base under any name (a renamed directory, a moved file). One read of the
 * source before it seeds, paid only by runs with a base: the piece hashes come later, while seeding,
 * and a target must know what it can copy before it asks the swarm for anything.
 */
export async function digestFiles(
  manifest: Manifest,
  files: PayloadFiles,
  signal: AbortSignal,
): Promise<void> {
  const digests: Record<number, string> = {}
  const buffer = Buffer.allocUnsafe(READ_BYTES)
  const breathe = timeSlices()
  for (const file of files) {
    signal.throwIfAborted()
    if (file.entry !== undefined)
      digests[file.entry] = await digestFile(file.absPath, file.size, buffer, breathe)
  }
  manifest.entries.digest = digests
}

/**
 * SHA-256 of the file's first `size` bytes (the size the scan saw), read synchronously in time slices
 * as the scan is: most release files are a few kilobytes, where a trip through the thread pool
 * costs more than the read. A file that shrank since the scan fails here rather than at seeding.
 * `onChunk` sees each chunk as it is hashed (a copy made in the same read), at its offset.
 */
export async function digestFile(
  path: string,
  size: number,
  buffer: Buffer,
  breathe: () => Promise<void> | undefined,
  onChunk: (chunk: Buffer, position: number) => void = () => {},
): Promise<string> {
  const hash = createHash('sha256')
  const fd = openWithoutAtime(path, constants.O_RDONLY)
  try {
    for (let position = 0; position < size; ) {
      const want = Math.min(buffer.length, size - position)
      const got = readSync(fd, buffer, 0, want, position)
      if (got === 0) throw new Error(`${path} shrank while it was read (${position} of ${size} bytes)`)
      const chunk = buffer.subarray(0, got)
      hash.update(chunk)
      onChunk(chunk, position)
      position += got
      await breathe()
    }
  } finally {
    closeSync(fd)
  }
  return hash.digest('hex')
}
