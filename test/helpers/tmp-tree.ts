import { createHash } from 'node:crypto'
import {
  chmod,
  lstat,
  lutimes,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { execa } from 'execa'
import { onTestFinished } from 'vitest'

/** A fresh directory under os.tmpdir(), removed when the current test finishes, pass or fail. */
export async function tmpDir(prefix = 'fanout-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  onTestFinished(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** One object to create under a tree's root; `path` is '/'-separated and relative to the root. */
export type TreeEntry =
  | { kind: 'file'; path: string; content?: string | Uint8Array; mode?: number; mtimeMs?: number }
  | { kind: 'dir'; path: string; mode?: number; mtimeMs?: number }
  | { kind: 'symlink'; path: string; target: string; mtimeMs?: number }
  | { kind: 'fifo'; path: string }

/**
 * Creates the entries in order (parents first), then applies modes and times children-first, so a
 * directory's mtime is not disturbed by what is created inside it afterwards.
 */
export async function buildTree(root: string, entries: readonly TreeEntry[]): Promise<void> {
  await mkdir(root, { recursive: true })
  for (const entry of entries) {
    const abs = join(root, entry.path)
    await mkdir(dirname(abs), { recursive: true })
    if (entry.kind === 'file') await writeFile(abs, entry.content ?? '')
    else if (entry.kind === 'dir') await mkdir(abs, { recursive: true })
    else if (entry.kind === 'symlink') await symlink(entry.target, abs)
    else await execa('mkfifo', [abs])
  }
  for (const entry of [...entries].reverse()) {
    const abs = join(root, entry.path)
    if ((entry.kind === 'file' || entry.kind === 'dir') && entry.mode !== undefined)
      await chmod(abs, entry.mode)
    if (entry.kind !== 'fifo' && entry.mtimeMs !== undefined) {
      await lutimes(abs, entry.mtimeMs / 1000, entry.mtimeMs / 1000)
    }
  }
}

/** What a copy must reproduce of one filesystem object. */
export interface NodeFacts {
  path: string
  kind: 'file' | 'dir' | 'symlink' | 'other'
  mode: number
  uid: number
  gid: number
  mtimeMs: number
  size: number
  sha1?: string
  linkTarget?: string
}

/** Every object under `root` (the root itself as ''), sorted by path, read without following links. */
export async function describeTree(root: string): Promise<NodeFacts[]> {
  const out: NodeFacts[] = []
  const visit = async (rel: string): Promise<void> => {
    const abs = rel === '' ? root : join(root, rel)
    const stats = await lstat(abs)
    const kind = stats.isFile()
      ? 'file'
      : stats.isDirectory()
        ? 'dir'
        : stats.isSymbolicLink()
          ? 'symlink'
          : 'other'
    const facts: NodeFacts = {
      path: rel,
      kind,
      mode: stats.mode & 0o7777,
      uid: stats.uid,
      gid: stats.gid,
      mtimeMs: stats.mtimeMs,
      size: kind === 'file' ? stats.size : 0,
    }
    if (kind === 'file')
      facts.sha1 = createHash('sha1')
        .update(await readFile(abs))
        .digest('hex')
    if (kind === 'symlink') facts.linkTarget = await readlink(abs)
    out.push(facts)
    if (kind === 'dir') {
      for (const name of (await readdir(abs)).sort()) await visit(rel === '' ? name : `${rel}/${name}`)
    }
  }
  await visit('')
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}

/** Drops mtimes so two descriptions can be compared exactly; mtimes are compared to 1 ms separately. */
export function withoutTimes(facts: readonly NodeFacts[]): Omit<NodeFacts, 'mtimeMs'>[] {
  return facts.map(({ mtimeMs: _, ...rest }) => rest)
}
