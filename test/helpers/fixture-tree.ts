import { expect } from 'vitest'
import type { Cluster } from './cluster.js'
/**
 * Node programs run inside a cluster host (`node -e SCRIPT ARG`), so the tree is made and read with
 * that host's view of /srv. Kept as source text because the hosts run them, not vitest.
 */

/** Builds a tree that exercises everything the copy must keep. argv[1]: root, argv[2]: MiB of bulk data. */
export const MAKE_TREE_SCRIPT = String.raw`
const fs = require('node:fs'), path = require('node:path'), crypto = require('node:crypto')
const root = process.argv[1], bulkMiB = Number(process.argv[2] || 64)
const w = (rel, data, mode) => { const p = path.join(root, rel); fs.mkdirSync(path.dirname(p), { recursive: true }); fs.writeFileSync(p, data); if (mode !== undefined) fs.chmodSync(p, mode) }
let seed = 1; const bytes = (n) => { const b = Buffer.alloc(n); crypto.randomFillSync(b); return b }
w('db/ibdata1', bytes(Math.floor(bulkMiB * 0.6) << 20))
for (let i = 0; i < 240; i++) w('db/tables/t' + String(i).padStart(3, '0') + '.ibd', bytes(((bulkMiB * 0.4) * 1048576 / 240) | 0))
w('a/b/c/d/deep.txt', 'deep\n')
w('secret.key', 'not really secret\n', 0o600)
w('owned-by-other', 'owned\n'); fs.chownSync(path.join(root, 'owned-by-other'), 1234, 1235)
w('name with spaces.txt', 'spaces\n')
w("quote'and\"double", 'quotes\n')
w('$dollar&amp;semi', 'shell\n')
w('héllo-ünïcode/ß.txt', 'unicode\n')
w('zero-byte', '')
w('bin/setuid-tool', '#!/bin/sh\n', 0o4755)
fs.mkdirSync(path.join(root, 'empty-dir'))
fs.mkdirSync(path.join(root, 'private-dir'), { mode: 0o700 }); w('private-dir/inner', 'x\n')
fs.chmodSync(path.join(root, 'private-dir'), 0o750)
fs.linkSync(path.join(root, 'a/b/c/d/deep.txt'), path.join(root, 'deep-hard-link'))
fs.symlinkSync('db/ibdata1', path.join(root, 'relative-link'))
fs.symlinkSync('/etc/hostname', path.join(root, 'absolute-link'))
fs.symlinkSync('does-not-exist', path.join(root, 'dangling-link'))
const old = new Date('2020-02-29T12:34:56.789Z')
fs.utimesSync(path.join(root, 'secret.key'), old, old)
fs.lutimesSync(path.join(root, 'relative-link'), old, old)
fs.utimesSync(path.join(root, 'empty-dir'), old, old)
`

/**
 * Prints one JSON line per entry, sorted: type, mode, owner, size, mtime, link target, and for files
 * a SHA-256 of the contents and the number of names. Two identical trees print identical text. argv[1]: root.
 */
export const LIST_TREE_SCRIPT = String.raw`
const fs = require('node:fs'), path = require('node:path'), crypto = require('node:crypto')
const root = process.argv[1], out = []
const visit = (rel) => {
  const p = rel ? path.join(root, rel) : root, s = fs.lstatSync(p, { bigint: true })
  const type = s.isSymbolicLink() ? 'l' : s.isDirectory() ? 'd' : s.isFile() ? 'f' : '?'
  const e = { rel, type, mode: Number(s.mode & 0o7777n).toString(8), uid: Number(s.uid), gid: Number(s.gid),
    size: type === 'f' ? Number(s.size) : 0, mtimeUs: Number(s.mtimeNs / 1000n) }
  if (type === 'l') e.link = fs.readlinkSync(p)
  if (type === 'f') e.sha256 = crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex')
  if (type === 'f') e.nlink = Number(s.nlink)
  out.push(e)
  if (type === 'd') for (const n of fs.readdirSync(p).sort()) visit(rel ? rel + '/' + n : n)
}
visit('')
process.stdout.write(out.map((e) => JSON.stringify(e)).join('\n') + '\n')
`

export interface ListedEntry {
  rel: string
  type: string
  mode: string
  uid: number
  gid: number
  size: number
  mtimeUs: number
  link?: string
  sha256?: string
  /** Names the file has: a hard link kept as one shows 2 on both of its names. */
  nlink?: number
}

export function parseListing(text: string): ListedEntry[] {
  return text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as ListedEntry)
}

/** The listing of a tree on a cluster host, made there with LIST_TREE_SCRIPT. */
export async function listTree(cluster: Cluster, host: string, root: string): Promise<ListedEntry[]> {
  const listed = await cluster.exec(host, ['node', '-e', LIST_TREE_SCRIPT, root])
  expect(listed.exitCode, listed.stderr).toBe(0)
  return parseListing(listed.stdout)
}

/** Identical, except that mtimes may differ by the microsecond Node's utimes rounds to. */
export function expectSameTree(actual: ListedEntry[], expected: ListedEntry[]): void {
  expect(actual.map((e) => e.rel)).toEqual(expected.map((e) => e.rel))
  actual.forEach((entry, i) => {
    const want = expected[i] as ListedEntry
    expect({ ...entry, mtimeUs: 0 }, entry.rel).toEqual({ ...want, mtimeUs: 0 })
    expect(Math.abs(entry.mtimeUs - want.mtimeUs), `mtime of ${entry.rel}`).toBeLessThanOrEqual(1)
  })
}
