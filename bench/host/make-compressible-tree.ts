/**
 * Writes a datadir-like tree that compresses about as a real one does, on the host it runs on:
 *
 *   node --import tsx bench/host/make-compressible-tree.ts DIR TOTAL_MIB FILES
 *
 * The file sizes are those of bench/lib/tree-shape.ts (log-normal small files plus 4 big ones with
 * half the bytes). The contents are 16 KiB pages, as InnoDB writes them: most hold rows of
 * SQL-like text with varying numbers and names (compressible a few times over), some are random
 * (BLOBs, already compressed tables: incompressible) and some are nearly empty (free pages).
 * Page kinds and text come from a seeded generator, so every run builds the same mix.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { mulberry32, treeShape } from '../lib/tree-shape.js'

const PAGE = 16 * 1024
const RANDOM_SHARE = 0.15
const EMPTY_SHARE = 0.15
const STATUSES = ['pending', 'paid', 'shipped', 'delivered', 'returned', 'cancelled']
const NAMES = ['anna', 'bruno', 'chiara', 'dmitri', 'elena', 'farid', 'greta', 'hiro', 'ines', 'jonas']
const CITIES = ['Amsterdam', 'Berlin', 'Chicago', 'Dallas', 'Frankfurt', 'San Francisco', 'Singapore']

const [dir = '', totalMiB = '0', files = '0'] = process.argv.slice(2)
const random = mulberry32(0xda7a)
let rowId = 1_000_000
for (const file of treeShape(Number(totalMiB) * 2 ** 20, Number(files))) {
  const path = join(dir, file.path)
  await mkdir(join(path, '..'), { recursive: true })
  await writeFile(path, contents(file.size))
}

function contents(size: number): Buffer {
  const out = Buffer.alloc(size)
  for (let at = 0; at < size; at += PAGE) page(at / PAGE).copy(out, at)
  return out
}

function page(pageNo: number): Buffer {
  const kind = random()
  if (kind < RANDOM_SHARE) return randomBytes(PAGE)
  const buf = Buffer.alloc(PAGE)
  // A page header: its number and a checksum-like word, as every InnoDB page has.
  buf.writeUInt32BE(pageNo, 0)
  buf.writeUInt32BE(Math.floor(random() * 2 ** 32), 4)
  if (kind < RANDOM_SHARE + EMPTY_SHARE) return buf
  let at = 38
  // Pages are filled to 70-95%, the rest is free space (zeros), as in a B-tree leaf.
  const fill = PAGE * (0.7 + 0.25 * random())
  while (at < fill) at += buf.write(row(), at, 'latin1')
  return buf
}

function row(): string {
  rowId += 1 + Math.floor(random() * 3)
  const name = pick(NAMES)
  const day = `2024-${pad(1 + Math.floor(random() * 12))}-${pad(1 + Math.floor(random() * 28))}`
  const amount = (random() * 500).toFixed(2)
  return `(${rowId},'${name}.${pick(NAMES)}@example.com','${pick(CITIES)}','${day} ${pad(Math.floor(random() * 24))}:${pad(Math.floor(random() * 60))}:00','${pick(STATUSES)}',${amount}),\n`
}

function pick(list: readonly string[]): string {
  return list[Math.floor(random() * list.length)] ?? ''
}

function pad(n: number): string {
  return String(n).padStart(2, '0')
}
