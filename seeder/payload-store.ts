import { type FileHandle, mkdir, open } from 'node:fs/promises'
import { dirname, resolve, sep } from 'node:path'
import { locateSpan, type StoredFile } from './locate-span.js'

type Callback<T = void> = (err: Error | null, value?: T) => void

export interface PayloadStoreOptions {
  /** The directory the torrent's paths are relative to. */
  path: string
  files: readonly StoredFile[]
  length: number
  /** The source opens its files read-only: seeding must never be able to change them. */
  readOnly?: boolean
}

/**
 * Open files are kept in an LRU so a 20,000-file tree does not exhaust descriptors (the usual soft
 * limit is 1,024, shared with the peers' sockets), while a piece spanning a hundred small files
 * does not reopen each of them for every block.
 */
const MAX_OPEN_FILES = 384

/**
 * An abstract-chunk-store over the payload's own files. webtorrent's fs-chunk-store strips characters
 * such as `"` `:` `?` `*` from names and opens files for writing, so it can neither reproduce every
 * name nor be trusted with a source tree; this store does both, and refuses any path that would land
 * outside its directory.
 */
export class PayloadStore {
  readonly chunkLength: number
  private readonly files: readonly StoredFile[]
  private readonly absPaths: string[]
  private readonly readOnly: boolean
  private readonly handles = new Map<number, OpenFile>()
  /** Directories already made, so a tree of small files costs one mkdir per directory, not per file. */
  private readonly madeDirs = new Set<string>()
  private closed = false

  constructor(chunkLength: number, opts: PayloadStoreOptions) {
    this.chunkLength = chunkLength
    this.files = opts.files.map((f) => ({ path: f.path, length: f.length, offset: f.offset }))
    this.readOnly = opts.readOnly === true
    const root = resolve(opts.path)
    this.absPaths = this.files.map((f) => {
      const abs = resolve(root, f.path)
      if (!abs.startsWith(root + sep)) throw new Error(`torrent path escapes the payload: ${f.path}`)
      return abs
    })
  }

  put(index: number, buf: Uint8Array, cb: Callback = () => {}): void {
    if (this.readOnly) {
      cb(new Error('the source payload is read-only'))
      return
    }
    this.eachSpan(
      index * this.chunkLength,
      buf.length,
      (handle, span) =>
        handle.write(buf, span.rangeOffset, span.length, span.fileOffset).then(() => undefined),
      true,
    ).then(() => cb(null), cb)
  }

  get(
    index: number,
    opts: { offset?: number; length?: number } | null | Callback<Uint8Array>,
    cb?: Callback<Uint8Array>,
  ): void {
    const done = (typeof opts === 'function' ? opts : cb) as Callback<Uint8Array>
    const options = typeof opts === 'function' || opts === null ? {} : opts
    const chunkStart = index * this.chunkLength
    const chunkSize = Math.min(this.chunkLength, this.totalLength() - chunkStart)
    const offset = options.offset ?? 0
    const length = options.length ?? chunkSize - offset
    if (chunkSize <= 0 || length < 0 || offset + length > chunkSize) {
      done(new RangeError(`chunk ${index} (+${offset}, ${length}) is outside the payload`))
      return
    }
    const out = Buffer.alloc(length)
    this.eachSpan(chunkStart + offset, length, async (handle, span) => {
      const { bytesRead } = await handle.read(out, span.rangeOffset, span.length, span.fileOffset)
      if (bytesRead !== span.length) throw new Error(`short read in ${this.absPaths[span.fileIndex]}`)
    }).then(() => done(null, out), done)
  }

  close(cb: Callback = () => {}): void {
    this.closed = true
    const pending = [...this.handles.values()]
    this.handles.clear()
    Promise.allSettled(pending.map(async (entry) => (await entry.handle).close())).then(() => cb(null))
  }

  /** Never deletes: the payload is the user's data (source) or the staging copy a resume needs. */
  destroy(cb: Callback = () => {}): void {
    this.close(cb)
  }

  private totalLength(): number {
    const last = this.files[this.files.length - 1]
    return last === undefined ? 0 : last.offset + last.length
  }

  private async eachSpan(
    start: number,
    length: number,
    io: (handle: FileHandle, span: ReturnType<typeof locateSpan>[number]) => Promise<void>,
    create = false,
  ): Promise<void> {
    if (this.closed) throw new Error('store is closed')
    for (const span of locateSpan(this.files, start, length)) {
      const entry = this.acquire(span.fileIndex, create)
      try {
        await io(await entry.handle, span)
      } finally {
        entry.users--
        this.evictIdle()
      }
    }
  }

  private acquire(fileIndex: number, create: boolean): OpenFile {
    const absPath = this.absPaths[fileIndex] as string
    let entry = this.handles.get(fileIndex)
    if (entry === undefined) {
      entry = { handle: this.openFile(absPath, create), canCreate: create, users: 0 }
      entry.handle.catch(() => this.handles.delete(fileIndex))
    } else {
      // Re-inserting marks it as the most recently used.
      this.handles.delete(fileIndex)
      if (create && !entry.canCreate) {
        // A read of the missing file may be opening it right now; a write must still create it.
        entry.handle = entry.handle.catch(() => this.openFile(absPath, true))
        entry.canCreate = true
      }
    }
    this.handles.set(fileIndex, entry)
    entry.users++
    return entry
  }

  private async openFile(absPath: string, create: boolean): Promise<FileHandle> {
    if (this.readOnly) return open(absPath, 'r')
    try {
      return await open(absPath, 'r+')
    } catch (err) {
      // Reads of pieces never written (a fresh staging copy being checked for resume) must not
      // create empty files.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !create) throw err
      const dir = dirname(absPath)
      if (!this.madeDirs.has(dir)) {
        await mkdir(dir, { recursive: true, mode: 0o700 })
        this.madeDirs.add(dir)
      }
      return open(absPath, 'wx+', 0o600)
    }
  }

  /** Closes the least recently used idle files; a file with I/O in flight is never closed under it. */
  private evictIdle(): void {
    if (this.handles.size <= MAX_OPEN_FILES) return
    for (const [index, entry] of this.handles) {
      if (this.handles.size <= MAX_OPEN_FILES) return
      if (entry.users > 0) continue
      this.handles.delete(index)
      entry.handle.then((h) => h.close()).catch(() => {})
    }
  }
}

interface OpenFile {
  handle: Promise<FileHandle>
  /** Whether the open may create the file (a write asked for it). */
  canCreate: boolean
  users: number
}
