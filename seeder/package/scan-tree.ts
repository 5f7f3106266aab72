import { type BigIntStats, lstatSync, readdirSync, readlinkSync, statSync } from 'node:fs'
import { basename, join } from 'node:path'
import type { EntryKind, Manifest, ManifestEntry } from '../../shared/messages.js'
import { timeSlices } from '../control/time-slices.js'

/** A regular, non-empty file whose bytes travel through the swarm, in torrent order. */
export interface PayloadFile {
  /** Relative to the payload root, '/'-separated ('' when the payload is a single file). */
  path: string
  absPath: string
  size: number
  /** `dev:ino`, for a file with more than one name: the stream sends later names as hard links. */
  inode?: string
}

export interface ScannedTree {
  manifest: Manifest
  files: PayloadFile[]
}

/**
 * Walks the source without following any symlink (lstat only) and records everything a target
 * needs to rebuild it. Names are sorted so two scans of the same tree give the same torrent, which is
 * what lets a later run find and resume an interrupted staging copy. The calls are synchronous, in
 * time slices: one lstat per entry through the thread pool cost ten times the call (time-slices.ts).
 */
export async function scanTree(sourcePath: string): Promise<ScannedTree> {
  const entries: ManifestEntry[] = []
  const files: PayloadFile[] = []
  const skipped: Manifest['skipped'] = []
  // The root alone is followed when it is a link (the user named it); links inside are kept as links.
  const root = statSync(sourcePath, { bigint: true })
  const rootKind = kindOf(root)
  if (rootKind !== 'file' && rootKind !== 'dir') {
    throw new Error(`the source must be a file or a directory: ${sourcePath}`)
  }
  // Depth first, parents before children: the order the manifest promises.
  const pending: Pending[] = [{ absPath: sourcePath, relPath: '' }]
  const breathe = timeSlices()
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { absPath, relPath } = next
    const stats = relPath === '' ? root : lstatSync(absPath, { bigint: true })
    const kind = kindOf(stats)
    if (kind === undefined) {
      skipped.push({ path: relPath, reason: describeSpecial(stats) })
      continue
    }
    const entry = toEntry(relPath, kind, stats)
    if (kind === 'symlink') entry.linkTarget = readlinkSync(absPath)
    entries.push(entry)
    if (kind === 'file' && entry.size > 0) files.push(payloadFile(relPath, absPath, entry.size, stats))
    if (kind === 'dir') pushChildren(pending, absPath, relPath)
    await breathe()
  }
  const totalBytes = files.reduce((sum, f) => sum + f.size, 0)
  return { manifest: { name: basename(sourcePath), rootKind, entries, totalBytes, skipped }, files }
}

interface Pending {
  absPath: string
  relPath: string
}

/** Pushed last name first, so they come off the stack in sorted order. */
function pushChildren(pending: Pending[], absPath: string, relPath: string): void {
  const names = readdirSync(absPath).sort()
  for (let i = names.length - 1; i >= 0; i--) {
    const name = names[i] as string
    pending.push({ absPath: join(absPath, name), relPath: relPath === '' ? name : `${relPath}/${name}` })
  }
}

function payloadFile(path: string, absPath: string, size: number, stats: BigIntStats): PayloadFile {
  return stats.nlink > 1n
    ? { path, absPath, size, inode: `${stats.dev}:${stats.ino}` }
    : { path, absPath, size }
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

function toEntry(path: string, kind: EntryKind, stats: BigIntStats): ManifestEntry {
  return {
    path,
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
