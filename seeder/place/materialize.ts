import {
  chmodSync,
  chownSync,
  lchownSync,
  linkSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { FanoutError } from '../../shared/errors.js'
import { ManifestView } from '../../shared/manifest-table.js'
import type { Manifest, ManifestEntry } from '../../shared/messages.js'
import { timeSlices } from '../control/time-slices.js'
import { safeJoin } from './safe-path.js'

/**
 * Turns the downloaded bytes under `payloadRoot` into a faithful copy: creates what BitTorrent does
 * not carry (directories, empty files, symlinks), checks every file's size, then restores owners,
 * modes and times. Metadata goes children-first, so setting a directory's mtime is the last thing
 * that touches it and sticks.
 *
 * A tree of 20,000 files is 80,000 metadata calls that each take microseconds in the kernel. Through
 * the libuv thread pool every call paid a hand-off between threads worth ten times the call (and
 * far more on a loaded host: 73 s for such a tree); made synchronously, in slices that let the
 * event loop breathe (the agent's channel must keep hearing pings), the whole tree takes well
 * under a second.
 */
export async function materialize(manifest: Manifest, payloadRoot: string): Promise<void> {
  // Each entry is read out of the manifest's columns as it is handled, and dropped: for 100,000
  // entries, all their objects and paths at once were 60 MiB of a target's heap.
  const view = new ManifestView(manifest.entries)
  const breathe = timeSlices()
  for (let i = 0; i < view.count; i++) {
    const entry = view.entry(i)
    createEntry(entry, safeJoin(payloadRoot, entry.path), payloadRoot)
    await breathe()
  }
  // Backwards, the manifest (parents before children) lists every directory after all it contains.
  for (let i = view.count - 1; i >= 0; i--) {
    const entry = view.entry(i)
    restoreMetadata(entry, safeJoin(payloadRoot, entry.path))
    await breathe()
  }
}

function createEntry(entry: ManifestEntry, path: string, root: string): void {
  if (entry.linkTo !== undefined) {
    // A resumed staging copy may already hold the link; the first name is already in place.
    removeIfPresent(path)
    linkSync(safeJoin(root, entry.linkTo), path)
    expectSize(path, entry.size)
    return
  }
  switch (entry.kind) {
    case 'dir':
      mkdirSync(path, { recursive: true, mode: 0o700 })
      return
    case 'symlink':
      // A resumed staging copy may already hold it; links are cheap to recreate exactly.
      removeIfPresent(path)
      symlinkSync(entry.linkTarget ?? '', path)
      return
    case 'file':
      if (entry.size === 0) writeFileSync(path, '', { mode: 0o600 })
      expectSize(path, entry.size)
      return
  }
}

function expectSize(path: string, size: number): void {
  const stats = lstatSync(path, { throwIfNoEntry: false })
  if (stats === undefined || !stats.isFile())
    throw new FanoutError('VERIFY_FAILED', `missing after transfer: ${path}`, { path })
  if (stats.size !== size)
    throw new FanoutError('VERIFY_FAILED', `${path} has ${stats.size} bytes, expected ${size}`, { path })
}

function restoreMetadata(entry: ManifestEntry, path: string): void {
  const atime = entry.atimeMs / 1000
  const mtime = entry.mtimeMs / 1000
  if (entry.kind === 'symlink') {
    // chmod and utimes follow links; only the l* calls act on the link itself.
    lchownSync(path, entry.uid, entry.gid)
    lutimesSync(path, atime, mtime)
    return
  }
  // chown clears setuid/setgid bits, so the mode comes after it.
  chownSync(path, entry.uid, entry.gid)
  chmodSync(path, entry.mode)
  utimesSync(path, atime, mtime)
}

function removeIfPresent(path: string): void {
  try {
    unlinkSync(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
}
