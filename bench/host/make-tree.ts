/**
 * Writes a datadir-like tree of random data on the host it runs on (via `cluster.exec`):
 *
 *   node --import tsx bench/host/make-tree.ts DIR TOTAL_MIB FILES
 *
 * Sizes are log-normal around a few KiB, like the many small tables and indexes of a database
 * directory, plus a handful of big files (ibdata, logs) that hold about half the bytes. The sizes
 * come from a seeded generator, so every run builds the same shape; the contents are random, so
 * nothing compresses.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { treeShape } from '../lib/tree-shape.js'

const [dir = '', totalMiB = '0', files = '0'] = process.argv.slice(2)
const shape = treeShape(Number(totalMiB) * 2 ** 20, Number(files))
// One random block, sliced at different offsets, is fast to make and does not repeat within a file.
const block = randomBytes(64 * 2 ** 20)
for (const [i, file] of shape.entries()) {
  const path = join(dir, file.path)
  await mkdir(join(path, '..'), { recursive: true })
  await writeFile(path, slice(file.size, i))
}

function slice(size: number, i: number): Buffer {
  // Big files get their own bytes, so no two of them share content.
  if (size > 2 ** 20) return randomBytes(size)
  const start = (i * 7919 * 4096) % (block.length - size + 1)
  return block.subarray(start, start + size)
}
