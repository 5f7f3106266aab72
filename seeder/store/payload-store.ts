import { closeSync, constants, read, readSync, write, writeSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { dirname, resolve, sep } from 'node:path'
import { promisify } from 'node:util'
import { FanoutError } from '../../shared/errors.js'
import { type FileSpan, locateSpan, type StoredFile, type StoredFiles, storedFiles } from './locate-span.js'
import { openFileBudget } from './open-file-budget.js'
import { openWithoutAtime, openWithoutAtimeAsync } from './open-without-atime.js'
import type { WriteBacklog } from './write-backlog.js'

type Callback<T = void> = (err: Error | null, value?: T) => void

export interface PayloadStoreOptions {
  /** The directory the torrent's paths are relative to. */
  path: string
  /** The torrent's files as webtorrent passes them: one file spanning the payload (add-own-torrent.ts). */
  files: readonly StoredFile[]
  /** The payload's real files, which the store reads and writes. */
  payloadFiles?: StoredFiles
  length: number
  /** The source opens its files read-only: seeding must never be able to change them. */
  readOnly?: boolean
  /** How many files may be open at once (least recently used ones are closed); see open-file-budget.ts. */
  maxOpenFiles?: number
  /** Counts the bytes of puts in progress, for the target's scheduler to hold back requests. */
  backlog?: WriteBacklog
  /** Hands the store to whoever must move it later (webtorrent constructs it out of sight). */
  onCreated?: (store: PayloadStore) => void
  /**
   * Test hook: every read returns its first byte flipped, so this target serves data that fails its
   * hash, as one with a broken disk would (FANOUT_TEST_SERVE_CORRUPT=1 in the agent's environment).
   */
  corruptReadsForTest?: boolean
}

/**
 * Spans up to this size are read and written synchronously. A tree of small files means tens of
 * thousands of tiny calls, and through the libuv thread pool each one costs a hand-off between
 * threads worth ten times the call itself (measured: 20,000 reads of 6 KiB, 1.9 s of CPU through the
 * pool, 0.2 s without it). Larger spans go through the pool, so copying megabytes never holds up the
 * sockets. Creating a file goes through the pool: it can wait for the filesystem's journal
 * (measured: 1 ms on average and up to 0.5 s with eight targets writing to one disk), and the event
 * loop must not wait with it. Opening a file that exists is a lookup, done synchronously like the
 * small reads: through the pool, the hand-off cost the source a quarter of its CPU on the bench's
 * 20,000-file tree (3.7 CPU-s instead of 4.7-5.1). Closing is synchronous: it moves no data and
 * waits for nothing.
 */
const SYNC_IO_MAX = 64 * 1024

const CREATE_FLAGS = constants.O_RDWR | constants.O_CREAT

// The callback API with plain descriptors: a FileHandle would close itself when collected.
const readAsync = promisify(read)
const writeAsync = promisify(write)

/**
 * An abstract-chunk-store over the payload's own files. webtorrent's fs-chunk-store strips characters
 * such as `"` `:` `?` `*` from names and opens files for writing, so it can neither reproduce every
 * name nor be trusted with a source tree; this store does both, and refuses any path that would land
 * outside its directory.
 */
export class PayloadStore {
  readonly chunkLength: number
  private readonly files: StoredFiles
  /** The directory the files' paths are relative to, resolved. */
  private root: string
  private readOnly: boolean
  private readonly maxOpenFiles: number
  private readonly backlog: WriteBacklog | undefined
  private readonly corruptReads: boolean
  /** Open files, least recently used first. */
  private readonly handles = new Map<number, OpenFile>()
  /** Directories already made, so a tree of small files costs one mkdir per directory, not per file. */
  private readonly madeDirs = new Set<string>()
  private closed = false

  constructor(chunkLength: number, opts: PayloadStoreOptions) {
    this.chunkLength = chunkLength
    this.files = opts.payloadFiles ?? storedFiles(opts.files)
    this.readOnly = opts.readOnly === true
    this.maxOpenFiles = opts.maxOpenFiles ?? openFileBudget()
    this.backlog = opts.backlog
    this.corruptReads = opts.corruptReadsForTest === true
    this.root = resolve(opts.path)
    refuseEscapes(this.root, this.files)
    opts.onCreated?.(this)
  }

  /**
   * The payload's files moved under `root` (a target landed its copy and keeps serving it): later
   * opens use the new paths, read-only, since the copy now belongs to the user. Files open now stay
   * open: a descriptor follows its file through a rename.
   */
  moveTo(root: string): void {
    this.root = resolve(root)
    this.readOnly = true
  }

  put(index: number, buf: Uint8Array, cb: Callback = () => {}): void {
    if (this.readOnly) {
      cb(new Error('the source payload is read-only'))
      return
    }
    const release = this.backlog?.hold(buf.length) ?? (() => {})
    this.eachSpan(index * this.chunkLength, buf.length, true, async (fd, span) => {
      const { rangeOffset, length, fileOffset } = span
      const written =
        length <= SYNC_IO_MAX
          ? writeSync(fd, buf, rangeOffset, length, fileOffset)
          : (await writeAsync(fd, buf, rangeOffset, length, fileOffset)).bytesWritten
      if (written !== length) throw new Error(`short write in ${this.absPath(span.fileIndex)}`)
    })
      .finally(release)
      .then(() => cb(null), cb)
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
    // Every byte is overwritten below (a short read fails the get), so no need to zero it first.
    const out = Buffer.allocUnsafe(length)
    this.eachSpan(chunkStart + offset, length, false, async (fd, span) => {
      const { rangeOffset, length: spanLength, fileOffset } = span
      const bytesRead =
        spanLength <= SYNC_IO_MAX
          ? readSync(fd, out, rangeOffset, spanLength, fileOffset)
          : (await readAsync(fd, out, rangeOffset, spanLength, fileOffset)).bytesRead
      if (bytesRead !== spanLength) throw new Error(`short read in ${this.absPath(span.fileIndex)}`)
    }).then(() => {
      if (this.corruptReads && out.length > 0) out[0] = (out[0] ?? 0) ^ 0xff
      done(null, out)
    }, done)
  }

  close(cb: Callback = () => {}): void {
    this.closed = true
    for (const entry of this.handles.values()) {
      // A file with I/O in flight is closed when that ends (see release).
      if (entry.users === 0) closeWhenOpen(entry)
      else entry.closeWhenIdle = true
    }
    this.handles.clear()
    queueMicrotask(() => cb(null))
  }

  /** Never deletes: the payload is the user's data (source) or the staging copy a resume needs. */
  destroy(cb: Callback = () => {}): void {
    this.close(cb)
  }

  private totalLength(): number {
    const last = this.files.count - 1
    return last < 0 ? 0 : this.files.offset(last) + this.files.length(last)
  }

  /** Made when a file is opened, not kept: for 100,000 files they were 10 MiB of strings. */
  private absPath(fileIndex: number): string {
    return resolve(this.root, this.files.path(fileIndex))
  }

  private async eachSpan(
    start: number,
    length: number,
    create: boolean,
    io: (fd: number, span: FileSpan) => Promise<void>,
  ): Promise<void> {
    for (const span of locateSpan(this.files, start, length)) {
      if (this.closed) throw new Error('store is closed')
      const entry = this.acquire(span.fileIndex, create)
      try {
        await io(await entry.fd, span)
      } catch (err) {
        throw create ? describeWriteFailure(err, this.absPath(span.fileIndex)) : err
      } finally {
        this.release(entry)
      }
    }
  }

  private acquire(fileIndex: number, create: boolean): OpenFile {
    let entry = this.handles.get(fileIndex)
    if (entry === undefined) {
      entry = {
        fd: this.openFile(this.absPath(fileIndex), create),
        canCreate: create,
        users: 0,
        closeWhenIdle: false,
      }
      const opened = entry
      opened.fd.catch(() => {
        if (this.handles.get(fileIndex) === opened) this.handles.delete(fileIndex)
      })
    } else {
      // Re-inserting marks it as the most recently used.
      this.handles.delete(fileIndex)
      if (create && !entry.canCreate) {
        // A read of the missing file may be opening it right now; a write must still create it.
        entry.fd = entry.fd.catch(() => this.openFile(this.absPath(fileIndex), true))
        entry.canCreate = true
      }
    }
    this.handles.set(fileIndex, entry)
    entry.users++
    return entry
  }

  private release(entry: OpenFile): void {
    entry.users--
    if (entry.users === 0 && entry.closeWhenIdle) closeWhenOpen(entry)
    else this.evictIdle()
  }

  /**
   * Reads of pieces never written (a fresh staging copy checked for resume) must not create files.
   * A failed open rejects, as the asynchronous ones do: callers cannot tell them apart.
   */
  private async openFile(absPath: string, create: boolean): Promise<number> {
    if (this.readOnly) return openWithoutAtime(absPath, constants.O_RDONLY)
    if (!create) return openWithoutAtime(absPath, constants.O_RDWR)
    const dir = dirname(absPath)
    if (!this.madeDirs.has(dir)) {
      await mkdir(dir, { recursive: true, mode: 0o700 })
      this.madeDirs.add(dir)
    }
    return openWithoutAtimeAsync(absPath, CREATE_FLAGS, 0o600)
  }

  /** Closes the least recently used idle files; a file with I/O in flight is never closed under it. */
  private evictIdle(): void {
    if (this.handles.size <= this.maxOpenFiles) return
    for (const [index, entry] of this.handles) {
      if (this.handles.size <= this.maxOpenFiles) return
      if (entry.users > 0) continue
      this.handles.delete(index)
      closeWhenOpen(entry)
    }
  }
}

/**
 * A full disk is the user's to fix, so it says so and where; webtorrent passes this error on as the
 * torrent's, and the agent reports its code (NO_SPACE).
 */
export function describeWriteFailure(err: unknown, path: string): unknown {
  const errno = (err as NodeJS.ErrnoException).code
  if (errno !== 'ENOSPC' && errno !== 'EDQUOT') return err
  const what = errno === 'ENOSPC' ? 'no space left on the device' : 'disk quota exceeded'
  return new FanoutError('NO_SPACE', `${what} (${errno}) writing ${path}`, { path }, { cause: err })
}

/** No file's path may lead outside the store's directory (`root`, resolved), wherever it moves. */
function refuseEscapes(root: string, files: StoredFiles): void {
  for (let i = 0; i < files.count; i++) {
    const path = files.path(i)
    if (!resolve(root, path).startsWith(root + sep))
      throw new Error(`torrent path escapes the payload: ${path}`)
  }
}

interface OpenFile {
  fd: Promise<number>
  /** Whether the open may create the file (a write asked for it). */
  canCreate: boolean
  /** Spans using it right now. */
  users: number
  /** Set when the store closes while I/O is in flight on it. */
  closeWhenIdle: boolean
}

function closeWhenOpen(entry: OpenFile): void {
  entry.fd.then(
    (fd) => {
      try {
        closeSync(fd)
      } catch {
        // Nothing useful to do about a failed close of a file we only read or already wrote.
      }
    },
    () => {},
  )
}
