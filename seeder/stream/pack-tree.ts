import { createHash, type Hash } from 'node:crypto'
import { once } from 'node:events'
import { closeSync, constants, readSync } from 'node:fs'
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import tar from 'tar-stream'
import { FanoutError } from '../../shared/errors.js'
import { ManifestView } from '../../shared/manifest-table.js'
import { CHUNK_LENGTH, type ManifestEntry } from '../../shared/messages.js'
import type { PayloadFile, ScannedTree } from '../package/scan-tree.js'
import { openWithoutAtimeAsync } from '../store/open-without-atime.js'

const READ_LENGTH = 256 * 1024
const EMPTY = Buffer.alloc(0)

export interface PackHooks {
  /** SHA-1 of each CHUNK_LENGTH of file data, in stream order; only when asked for. */
  onChunk?: (digest: Buffer) => void
  /** File bytes read so far. */
  onRead: (bytes: number) => void
  signal: AbortSignal
}

/**
 * Writes the payload as a tar stream: ustar headers, with POSIX.1-2001 pax records for names that
 * are long or not ASCII (tar-stream picks per entry), every entry of the manifest in its order, a
 * second name of a file as a hard link to the first. Each file is read once, from its start to the
 * size the scan saw, hashing as it goes when the target is to check its copy.
 */
export function packTree(tree: ScannedTree, hooks: PackHooks): tar.Pack {
  const pack = tar.pack()
  // Its reader (Readable.from) gets any failure through iteration; without a listener, the stream
  // torn down by an abort would also throw it as an uncaught 'error' and kill the agent.
  pack.on('error', () => {})
  writeEntries(pack, tree, hooks).then(
    () => pack.finalize(),
    (err: unknown) => pack.destroy(err as Error),
  )
  return pack
}

async function writeEntries(pack: tar.Pack, tree: ScannedTree, hooks: PackHooks): Promise<void> {
  const { manifest } = tree
  const view = new ManifestView(manifest.entries)
  // The scan's files (its non-empty regular files) come in manifest order.
  let nextFile = 0
  const firstName = new Map<string, string>()
  for (let i = 0; i < view.count; i++) {
    hooks.signal.throwIfAborted()
    const entry = view.entry(i)
    const header = headerOf(manifest.name, entry)
    if (entry.kind === 'dir') await addEntry(pack, { ...header, type: 'directory' })
    else if (entry.kind === 'symlink')
      await addEntry(pack, { ...header, type: 'symlink', linkname: entry.linkTarget ?? '' })
    else {
      const next = tree.files.at(nextFile)
      const file = next?.entry === i ? next : undefined
      if (file !== undefined) nextFile++
      const linkTo = file?.inode === undefined ? undefined : firstName.get(file.inode)
      if (file === undefined) await addEntry(pack, { ...header, type: 'file', size: 0 })
      else if (linkTo !== undefined) await addEntry(pack, { ...header, type: 'link', linkname: linkTo })
      else {
        if (file.inode !== undefined) firstName.set(file.inode, header.name)
        await addFile(pack, { ...header, type: 'file', size: file.size }, file, hooks)
      }
    }
  }
}

function headerOf(payloadName: string, entry: ManifestEntry) {
  return {
    name: tarName(payloadName, entry.path),
    mode: entry.mode,
    uid: entry.uid,
    gid: entry.gid,
    mtime: new Date(entry.mtimeMs),
  }
}

/** An entry without data; an empty body is given, or tar-stream would wait for one to be written. */
function addEntry(pack: tar.Pack, header: tar.Headers): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry(header, EMPTY, (err) => (err ? reject(err) : resolve()))
  })
}

async function addFile(pack: tar.Pack, header: tar.Headers, file: PayloadFile, hooks: PackHooks) {
  let finished: (err?: Error | null) => void = () => {}
  const written = new Promise<void>((resolve, reject) => {
    finished = (err) => (err ? reject(err) : resolve())
  })
  const sink = pack.entry(header, (err) => finished(err))
  const fd = await openWithoutAtimeAsync(file.absPath, constants.O_RDONLY)
  const chunk = hooks.onChunk === undefined ? undefined : new ChunkHasher(hooks.onChunk)
  try {
    let offset = 0
    while (offset < file.size) {
      hooks.signal.throwIfAborted()
      const buffer = Buffer.allocUnsafe(Math.min(READ_LENGTH, file.size - offset))
      // Synchronous reads of 256 KiB: the thread pool's hand-off costs more than the read from cache.
      const read = readSync(fd, buffer, 0, buffer.length, offset)
      if (read === 0) throw changed(file, offset)
      const data = read === buffer.length ? buffer : buffer.subarray(0, read)
      chunk?.update(data)
      offset += read
      hooks.onRead(read)
      if (!sink.write(data)) await once(sink, 'drain')
      else if (offset % (8 * READ_LENGTH) === 0) await yieldToEventLoop()
    }
  } finally {
    closeSync(fd)
  }
  chunk?.flush()
  sink.end()
  await written
}

/** Hashes file data in CHUNK_LENGTH pieces, each file's last chunk possibly shorter. */
class ChunkHasher {
  private hash: Hash = createHash('sha1')
  private filled = 0

  constructor(private readonly onChunk: (digest: Buffer) => void) {}

  update(data: Buffer): void {
    let rest = data
    while (rest.length > 0) {
      const take = Math.min(rest.length, CHUNK_LENGTH - this.filled)
      this.hash.update(rest.subarray(0, take))
      this.filled += take
      rest = rest.subarray(take)
      if (this.filled === CHUNK_LENGTH) this.emit()
    }
  }

  flush(): void {
    if (this.filled > 0) this.emit()
  }

  private emit(): void {
    this.onChunk(this.hash.digest())
    this.hash = createHash('sha1')
    this.filled = 0
  }
}

function changed(file: PayloadFile, offset: number): FanoutError {
  return new FanoutError(
    'SOURCE_CHANGED',
    `${file.absPath} shrank while it was sent (${offset} of ${file.size} bytes)`,
    { path: file.absPath },
  )
}

/** The name an entry has in the stream's tar: the payload's own name, then its path inside it. */
function tarName(payloadName: string, relPath: string): string {
  return relPath === '' ? payloadName : `${payloadName}/${relPath}`
}
