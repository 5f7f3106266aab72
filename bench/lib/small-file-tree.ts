import { randomBytes } from 'node:crypto'
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

const FILES_PER_DIR = 100
const DIRS_PER_GROUP = 32

/**
 * A release-like tree under `root`: `count` files of 200-3,000 random bytes, 100 to a directory,
 * directories 32 to a group (`d0/s0/file-0.dat` …). Sizes come from a fixed-seed generator, so every
 * run has the same shape and total; the bytes are random, so nothing compresses. Returns the bytes.
 */
export async function writeSmallFileTree(root: string, count: number): Promise<number> {
  let seed = 12345
  const next = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff
    return seed / 0x7fffffff
  }
  const dirs = Math.max(1, Math.round(count / FILES_PER_DIR))
  const dirOf = (d: number) => join(root, `d${Math.floor(d / DIRS_PER_GROUP)}`, `s${d}`)
  for (let d = 0; d < dirs; d++) await mkdir(dirOf(d), { recursive: true })
  let bytes = 0
  for (let i = 0; i < count; i++) {
    const size = 200 + Math.floor(next() * 2800)
    await writeFile(join(dirOf(i % dirs), `file-${i}.dat`), randomBytes(size))
    bytes += size
  }
  return bytes
}

/** Regular files under `root`, counted: a copy that lost some has fewer. */
export async function countFiles(root: string): Promise<number> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true })
  return entries.filter((entry) => entry.isFile()).length
}
