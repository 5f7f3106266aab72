import { closeSync, linkSync, mkdirSync, openSync, symlinkSync, writeSync } from 'node:fs'
import type { Readable } from 'node:stream'
import tar from 'tar-stream'
import { FanoutError } from '../../shared/errors.js'
import { CHUNK_LENGTH } from '../../shared/messages.js'
import { safeJoin } from '../place/safe-path.js'
import type { DiskChunk } from '../store/read-back.js'

export interface UnpackHooks {
  /** File bytes written so far. */
  onWritten: (bytes: number) => void
  /** Each chunk once all of its bytes are written. */
  onChunk: (chunk: DiskChunk) => void
}

/**
 * Unpacks the stream's tar into `root` as it arrives. Files, directories and links are created
 * private (0600/0700) and never over anything (O_EXCL); owners, modes and times are restored from
 * the manifest afterwards (materialize.ts), exactly as for the swarm. Every name goes through
 * safeJoin, so an entry can never land outside `root`.
 */
export async function unpackTree(input: Readable, root: string, hooks: UnpackHooks): Promise<void> {
  const extract = tar.extract()
  input.on('error', (err) => extract.destroy(err))
  input.pipe(extract)
  let chunkIndex = 0
  for await (const entry of extract) {
    const { header } = entry
    const path = safeJoin(root, header.name)
    switch (header.type) {
      case 'directory':
        mkdirSync(path, { recursive: true, mode: 0o700 })
        break
      case 'symlink':
        symlinkSync(header.linkname ?? '', path)
        break
      case 'link':
        linkSync(safeJoin(root, header.linkname ?? ''), path)
        break
      case 'file':
        chunkIndex = await writeFile(entry, path, chunkIndex, hooks)
        break
      default:
        throw new FanoutError(
          'AGENT_PROTOCOL',
          `unexpected ${header.type} entry in the stream: ${header.name}`,
        )
    }
    // Drains whatever a non-file entry carried; a file's data is already consumed.
    entry.resume()
  }
}

/** Writes one file's data; returns the number of the next chunk. */
async function writeFile(
  entry: AsyncIterable<Buffer>,
  path: string,
  firstChunk: number,
  hooks: UnpackHooks,
): Promise<number> {
  const fd = openSync(path, 'wx', 0o600)
  let chunkIndex = firstChunk
  let offset = 0
  let chunkStart = 0
  try {
    for await (const data of entry) {
      // Synchronous: a write to the page cache costs less than the thread pool's hand-off.
      let done = 0
      while (done < data.length) done += writeSync(fd, data, done, data.length - done, offset + done)
      offset += data.length
      hooks.onWritten(data.length)
      while (offset - chunkStart >= CHUNK_LENGTH) {
        hooks.onChunk({ index: chunkIndex++, path, offset: chunkStart, length: CHUNK_LENGTH })
        chunkStart += CHUNK_LENGTH
      }
    }
  } finally {
    closeSync(fd)
  }
  if (offset > chunkStart)
    hooks.onChunk({ index: chunkIndex++, path, offset: chunkStart, length: offset - chunkStart })
  return chunkIndex
}
