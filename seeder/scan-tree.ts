import type { BigIntStats } from 'node:fs'
import { lstat, readdir, readlink, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { EntryKind, Manifest, ManifestEntry } from '../src/protocol/messages.js'

/** A regular, non-empty file whose bytes travel through the swarm, in torrent order. */
export interface PayloadFile {
  /** Relative to the payload root, '/'-separated ('' when the payload is a single file). */
  path: string
  absPath: string
  size: number
}

export interface ScannedTree {
  manifest: Manifest
  files: PayloadFile[]
}

/**
 * Walks the source without following any symlink (lstat only) and records everything a target
 * needs to rebuild it. Names are sorted so two scans of the same tree give the same torrent, which is
 * what lets a later run find and resume an interrupted staging copy.
 */
export async function scanTree(sourcePath: string): Promise<ScannedTree> {
  const entries: ManifestEntry[] = []
  const files: PayloadFile[] = []
  const skipped: Manifest['skipped'] = []
  // The root alone is followed when it is a link (the user named it); links inside are kept as links.
  const root = await stat(sourcePath, { bigint: true })
  const rootKind = kindOf(root)
  if (rootKind !== 'file' && rootKind !== 'dir') {
    throw new Error(`the source must be a file or a directory: ${sourcePath}`)
  }
  const visit = async (absPath: string, relPath: string, stats: BigIntStats): Promise<void> => {
    const kind = kindOf(stats)
    if (kind === undefined) {
      skipped.push({ path: relPath, reason: describeSpecial(stats) })
      return
    }
    const entry = toEntry(relPath, kind, stats)
    if (kind === 'symlink') entry.linkTarget = await readlink(absPath)
    entries.push(entry)
    if (kind === 'file' && entry.size > 0) files.push({ path: relPath, absPath, size: entry.size })
    if (kind !== 'dir') return
    const names = (await readdir(absPath)).sort()
    for (const name of names) {
      const childAbs = join(absPath, name)
      await visit(
        childAbs,
        relPath === '' ? name : `${relPath}/${name}`,
        await lstat(childAbs, { bigint: true }),
      )
    }
  }
  await visit(sourcePath, '', root)
  const totalBytes = files.reduce((sum, f) => sum + f.size, 0)
  return { manifest: { name: basename(sourcePath), rootKind, entries, totalBytes, skipped }, files }
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
