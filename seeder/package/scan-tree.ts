import { type BigIntStats, lstatSync, readdirSync, readlinkSync, statSync } from 'node:fs'
import { basename, join, relative, sep } from 'node:path'
import { EntriesBuilder, type EntryFields, ManifestView } from '../../shared/manifest-table.js'
import type { EntryKind, Manifest } from '../../shared/messages.js'
import { timeSlices } from '../control/time-slices.js'

/** A regular, non-empty file whose bytes travel through the swarm, in torrent order. */
export interface PayloadFile {
  /** Relative to the payload root, '/'-separated ('' when the payload is a single file). */
  path: string
  absPath: string
  size: number
  /** `dev:ino`, for a file with more than one name: the stream sends later names as hard links. */
  inode?: string
  /** Its index in the manifest's entries, for a scanned tree. */
  entry?: number
}

/** The payload's files in torrent order: a list, or a scan's (ScannedFiles). */
export interface PayloadFiles extends Iterable<PayloadFile> {
  readonly length: number
  at(index: number): PayloadFile | undefined
}

export interface ScannedTree {
  manifest: Manifest
  files: ScannedFiles
}

/**
 * Walks the source without following any symlink (lstat only) and records everything a target
 * needs to rebuild it. Names are sorted so two scans of the same tree give the same torrent, which is
 * what lets a later run find and resume an interrupted staging copy. The calls are synchronous, in
 * time slices: one lstat per entry through the thread pool cost ten times the call (time-slices.ts).
 */
export async function scanTree(sourcePath: string): Promise<ScannedTree> {
  const builder = new EntriesBuilder()
  const files: number[] = []
  const inodes = new Map<number, string>()
  const skipped: Manifest['skipped'] = []
  // The root alone is followed when it is a link (the user named it); links inside are kept as links.
  const root = statSync(sourcePath, { bigint: true })
  const rootKind = kindOf(root)
  if (rootKind !== 'file' && rootKind !== 'dir') {
    throw new Error(`the source must be a file or a directory: ${sourcePath}`)
  }
  // Depth first, parents before children: the order the manifest promises.
  const pending: Pending[] = [{ absPath: sourcePath, name: '', parent: -1 }]
  const breathe = timeSlices()
  let totalBytes = 0
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { absPath, name, parent } = next
    const stats = parent < 0 ? root : lstatSync(absPath, { bigint: true })
    const kind = kindOf(stats)
    if (kind === undefined) {
      skipped.push({ path: relativePath(sourcePath, absPath), reason: describeSpecial(stats) })
      continue
    }
    const fields = toFields(kind, stats)
    if (kind === 'symlink') fields.linkTarget = readlinkSync(absPath)
    const index = builder.add(name, parent, fields)
    if (kind === 'file' && fields.size > 0) {
      files.push(index)
      totalBytes += fields.size
      if (stats.nlink > 1n) inodes.set(index, `${stats.dev}:${stats.ino}`)
    }
    if (kind === 'dir') pushChildren(pending, absPath, index)
    await breathe()
  }
  const manifest = { name: basename(sourcePath), rootKind, entries: builder.finish(), totalBytes, skipped }
  return { manifest, files: new ScannedFiles(new ManifestView(manifest.entries), sourcePath, files, inodes) }
}

/**
 * A scan's payload files: entry indices into its manifest, each made into a PayloadFile when asked
 * for, so that a tree of 100,000 files does not hold 200,000 more path strings for the whole run.
 */
export class ScannedFiles implements PayloadFiles {
  constructor(
    readonly view: ManifestView,
    private readonly root: string,
    private readonly entries: readonly number[],
    private readonly inodes: ReadonlyMap<number, string>,
  ) {}

  get length(): number {
    return this.entries.length
  }

  at(index: number): PayloadFile | undefined {
    const entry = this.entries[index]
    if (entry === undefined) return undefined
    const path = this.view.path(entry)
    const file: PayloadFile = {
      path,
      absPath: path === '' ? this.root : join(this.root, path),
      size: this.view.columns.size[entry] as number,
      entry,
    }
    const inode = this.inodes.get(entry)
    if (inode !== undefined) file.inode = inode
    return file
  }

  /** The files `keep` keeps, in the same order. */
  filter(keep: (file: PayloadFile) => boolean): ScannedFiles {
    const kept = this.entries.filter((_, index) => keep(this.at(index) as PayloadFile))
    return new ScannedFiles(this.view, this.root, kept, this.inodes)
  }

  *[Symbol.iterator](): Iterator<PayloadFile> {
    for (let i = 0; i < this.entries.length; i++) yield this.at(i) as PayloadFile
  }
}

interface Pending {
  absPath: string
  name: string
  /** The entry index of its directory; -1 for the root. */
  parent: number
}

/** Pushed last name first, so they come off the stack in sorted order. */
function pushChildren(pending: Pending[], absPath: string, parent: number): void {
  const names = readdirSync(absPath).sort()
  for (let i = names.length - 1; i >= 0; i--) {
    const name = names[i] as string
    pending.push({ absPath: join(absPath, name), name, parent })
  }
}

/** '/'-separated, relative to the source: only for what is skipped, which is rare. */
function relativePath(sourcePath: string, absPath: string): string {
  return relative(sourcePath, absPath).split(sep).join('/')
}

function kindOf(stats: BigIntStats): EntryKind | undefined {
  if (stats.isFile()) return 'file'
  if (stats.isDirectory()) return 'dir'
  if (stats.isSymbolicLink()) return 'symlink'
  return undefined
}

function describeSpecial(stats: BigIntStats): string {
  if (stats.isSocket()) return 'socket'
  if (stats.isFIFO()) return 'fifo'
  if (stats.isBlockDevice() || stats.isCharacterDevice()) return 'device node'
  return 'unsupported file type'
}

function toFields(kind: EntryKind, stats: BigIntStats): EntryFields {
  return {
    kind,
    mode: Number(stats.mode & 0o7777n),
    uid: Number(stats.uid),
    gid: Number(stats.gid),
    mtimeMs: nsToMs(stats.mtimeNs),
    atimeMs: nsToMs(stats.atimeNs),
    size: kind === 'file' ? Number(stats.size) : 0,
  }
}

/** Keeps sub-millisecond precision as a fraction, which is as fine as Node's utimes can set. */
function nsToMs(ns: bigint): number {
  return Number(ns / 1_000_000n) + Number(ns % 1_000_000n) / 1e6
}
