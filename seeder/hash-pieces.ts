import { createHash, type Hash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import type { PayloadFile } from './scan-tree.js'

export class SourceChangedError extends Error {}

/**
 * SHA-1 of every piece of the concatenated files, read in place (no staging copy). Pieces span file
 * boundaries, as BitTorrent v1 requires. A file that changes size while it is read makes the torrent
 * a lie, so that aborts instead of producing a copy nobody could verify.
 */
export async function hashPieces(
  files: readonly PayloadFile[],
  pieceLength: number,
  onProgress: (hashedBytes: number) => void = () => {},
  signal?: AbortSignal,
): Promise<Buffer> {
  const digests: Buffer[] = []
  let hash: Hash = createHash('sha1')
  let filled = 0
  let hashedBytes = 0
  for (const file of files) {
    let readFromFile = 0
    for await (const chunk of createReadStream(file.absPath, {
      highWaterMark: 1 << 20,
      ...(signal ? { signal } : {}),
    }) as AsyncIterable<Buffer>) {
      readFromFile += chunk.length
      let offset = 0
      while (offset < chunk.length) {
        const take = Math.min(pieceLength - filled, chunk.length - offset)
        hash.update(chunk.subarray(offset, offset + take))
        filled += take
        offset += take
        if (filled === pieceLength) {
          digests.push(hash.digest())
          hash = createHash('sha1')
          filled = 0
        }
      }
      hashedBytes += chunk.length
      onProgress(hashedBytes)
    }
    if (readFromFile !== file.size) {
      throw new SourceChangedError(
        `${file.absPath} changed size while being read (${file.size} → ${readFromFile})`,
      )
    }
  }
  if (filled > 0) digests.push(hash.digest())
  return Buffer.concat(digests)
}
