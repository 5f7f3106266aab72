import {
  chmod,
  chown,
  lchown,
  lstat,
  lutimes,
  mkdir,
  symlink,
  unlink,
  utimes,
  writeFile,
} from 'node:fs/promises'
import type { Manifest, ManifestEntry } from '../src/protocol/messages.js'
import { safeJoin } from './safe-path.js'

export class VerifyError extends Error {}

/**
 * Turns the downloaded bytes under `payloadRoot` into a faithful copy: creates what BitTorrent does
 * not carry (directories, empty files, symlinks), checks every file's size, then restores owners,
 * modes and times. Metadata goes children-first, so setting a directory's mtime is the last thing
 * that touches it and sticks.
 */
export async function materialize(manifest: Manifest, payloadRoot: string): Promise<void> {
  for (const entry of manifest.entries) await createEntry(entry, safeJoin(payloadRoot, entry.path))
  for (const entry of [...manifest.entries].reverse()) {
    await restoreMetadata(entry, safeJoin(payloadRoot, entry.path))
  }
}

async function createEntry(entry: ManifestEntry, path: string): Promise<void> {
  switch (entry.kind) {
    case 'dir':
      await mkdir(path, { recursive: true, mode: 0o700 })
      return
    case 'symlink':
      // A resumed staging copy may already hold it; links are cheap to recreate exactly.
      await unlink(path).catch(ignoreMissing)
      await symlink(entry.linkTarget ?? '', path)
      return
    case 'file':
      if (entry.size === 0) await writeFile(path, '', { mode: 0o600 })
      await expectSize(path, entry.size)
      return
  }
}

async function expectSize(path: string, size: number): Promise<void> {
  const stats = await lstat(path).catch(() => undefined)
  if (stats === undefined || !stats.isFile()) throw new VerifyError(`missing after transfer: ${path}`)
  if (stats.size !== size) throw new VerifyError(`${path} has ${stats.size} bytes, expected ${size}`)
}

async function restoreMetadata(entry: ManifestEntry, path: string): Promise<void> {
  const atime = entry.atimeMs / 1000
  const mtime = entry.mtimeMs / 1000
  if (entry.kind === 'symlink') {
    // chmod and utimes follow links; only the l* calls act on the link itself.
    await lchown(path, entry.uid, entry.gid)
    await lutimes(path, atime, mtime)
    return
  }
  // chown clears setuid/setgid bits, so the mode comes after it.
  await chown(path, entry.uid, entry.gid)
  await chmod(path, entry.mode)
  await utimes(path, atime, mtime)
}

function ignoreMissing(err: NodeJS.ErrnoException): void {
  if (err.code !== 'ENOENT') throw err
}
