import { createHash } from 'node:crypto'
import { readFile, rename, stat, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { buildTorrent } from '../../../seeder/package/build-torrent.js'
import { hashPieces } from '../../../seeder/package/hash-pieces.js'
import { type PayloadFile, scanTree } from '../../../seeder/package/scan-tree.js'
import { FanoutError } from '../../../shared/errors.js'
import { ManifestView } from '../../../shared/manifest-table.js'
import type { Manifest } from '../../../shared/messages.js'
import { buildTree, tmpDir } from '../../helpers/tmp-tree.js'

/** The manifest's entries as objects. */
const list = (manifest: Manifest) => [...new ManifestView(manifest.entries)]

interface ParsedTorrent {
  infoHash: string
  name: string
  length: number
  pieceLength: number
  lastPieceLength: number
  pieces: string[]
  private?: boolean
  announce: string[]
  files: { path: string; name: string; length: number; offset: number }[]
}

/** parse-torrent, the parser webtorrent itself uses, computes the info hash on its own. */
async function parse(torrent: Uint8Array): Promise<ParsedTorrent> {
  // parse-torrent ships no types; the interface above is the part these tests read.
  const module = (await import('parse-torrent' as string)) as {
    default: (id: Uint8Array) => Promise<ParsedTorrent>
  }
  return module.default(torrent)
}

/** Deterministic, non-repeating bytes: a piece mix-up shows as a hash mismatch. */
function bytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length)
  let x = seed * 2654435761
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0
    out[i] = x >>> 24
  }
  return out
}

/** SHA-1 of each piece of `data`, computed without hashPieces. */
function expectedPieces(data: Buffer, pieceLength: number): Buffer {
  const out: Buffer[] = []
  for (let start = 0; start < data.length; start += pieceLength) {
    out.push(
      createHash('sha1')
        .update(data.subarray(start, start + pieceLength))
        .digest(),
    )
  }
  return Buffer.concat(out)
}

async function writeFiles(
  dir: string,
  sizes: readonly number[],
): Promise<{ files: PayloadFile[]; all: Buffer }> {
  const files: PayloadFile[] = []
  const contents: Buffer[] = []
  for (const [i, size] of sizes.entries()) {
    const absPath = join(dir, `f${i}`)
    const content = bytes(size, i + 1)
    await writeFile(absPath, content)
    files.push({ path: `f${i}`, absPath, size })
    contents.push(content)
  }
  return { files, all: Buffer.concat(contents) }
}

const KiB = 1024
const MiB = 1024 * KiB

describe('hashPieces', () => {
  test.each<[string, number[], number]>([
    ['one file, one partial piece', [5], 8],
    ['one file, exactly one piece', [8], 8],
    ['one file, several pieces and a tail', [21], 8],
    ['pieces spanning three files', [5, 17, 9], 8],
    ['one-byte pieces', [3, 2], 1],
    ['a piece spanning many tiny files', [1, 1, 1, 1, 1, 1, 1], 4],
    ['file boundaries on piece boundaries', [8, 16, 8], 8],
    ['a piece larger than the payload', [5, 17, 9], MiB],
    ['files larger than one read (1 MiB)', [MiB + MiB / 2 + 3, 2 * MiB + 1, 7], MiB],
    ['an odd piece length across read boundaries', [MiB + 5, MiB - 5, 3], 333_333],
  ])('%s: sizes %j, pieces of %i', async (_why, sizes, pieceLength) => {
    const dir = await tmpDir()
    const { files, all } = await writeFiles(dir, sizes)
    const progress: number[] = []
    const announced: [number, Buffer][] = []
    const pieces = await hashPieces(files, pieceLength, {
      onProgress: (n) => progress.push(n),
      onPiece: (index, digest) => announced.push([index, digest]),
    })
    expect(pieces.length).toBe(20 * Math.ceil(all.length / pieceLength))
    expect(pieces.equals(expectedPieces(all, pieceLength))).toBe(true)
    // Every piece announced once, in order, with the digest the result holds.
    expect(announced.map(([index]) => index)).toEqual([...Array(pieces.length / 20).keys()])
    expect(Buffer.concat(announced.map(([, digest]) => digest)).equals(pieces)).toBe(true)
    expect(progress.at(-1)).toBe(all.length)
    expect([...progress].sort((a, b) => a - b)).toEqual(progress)
  })

  test('no files: no pieces', async () => {
    expect((await hashPieces([], 16 * KiB)).length).toBe(0)
  })

  test.each<[string, number]>([
    ['grew', +1],
    ['shrank', -1],
    ['was emptied', -1000],
  ])('a file that %s while being read aborts with SOURCE_CHANGED', async (_why, delta) => {
    const dir = await tmpDir()
    const { files } = await writeFiles(dir, [1000, 1000, 1000])
    // The scan saw one size; the disk holds another (what a concurrent writer would cause).
    const lying = files.map((f, i) => (i === 1 ? { ...f, size: f.size - delta } : f))
    const error = await hashPieces(lying, 256).catch((err: unknown) => err)
    expect(error).toBeInstanceOf(FanoutError)
    expect(error).toMatchObject({ code: 'SOURCE_CHANGED' })
    expect((error as Error).message).toContain(files[1]?.absPath)
    expect((error as Error).message).toContain(`${1000 - delta} → 1000`)
  })

  test('hashing leaves the source files’ access times as they were', async () => {
    const dir = await tmpDir()
    const { files } = await writeFiles(dir, [3000, 10])
    // Older than a day: relatime would move it on the next read.
    const atime = new Date(Date.now() - 3 * 86_400_000)
    for (const file of files) await utimes(file.absPath, atime, new Date(Date.now() - 2 * 86_400_000))
    await hashPieces(files, 1024)
    for (const file of files)
      expect((await stat(file.absPath)).atimeMs, file.absPath).toBeCloseTo(atime.getTime(), 0)
  })

  test('an aborted signal stops hashing', async () => {
    const dir = await tmpDir()
    const { files } = await writeFiles(dir, [4096])
    await expect(hashPieces(files, 1024, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      name: 'AbortError',
    })
  })
})

describe('scanTree + buildTorrent', () => {
  test('a directory tree: sorted files, empty files and links only in the manifest, fifo skipped', async () => {
    const dir = await tmpDir()
    const root = join(dir, 'payload')
    await buildTree(root, [
      // Created out of order: the scan must sort.
      { kind: 'file', path: 'b.txt', content: bytes(3000, 1), mode: 0o600 },
      { kind: 'file', path: 'a.bin', content: bytes(40_000, 2), mode: 0o755 },
      { kind: 'file', path: 'empty', mode: 0o640 },
      { kind: 'file', path: 'Z/nested/deep.dat', content: bytes(17, 3) },
      { kind: 'file', path: 'm/x', content: 'x' },
      { kind: 'file', path: 'a.b', content: bytes(5, 4) },
      { kind: 'file', path: 'a/b', content: bytes(6, 5) },
      { kind: 'dir', path: 'emptydir', mode: 0o700 },
      { kind: 'symlink', path: 'link', target: 'a.bin' },
      { kind: 'symlink', path: 'dirlink', target: 'm' },
      { kind: 'symlink', path: 'dangling', target: '../nowhere/at all' },
      { kind: 'fifo', path: 'pipe' },
      { kind: 'fifo', path: 'Z/nested/pipe2' },
    ])
    const { manifest, files } = await scanTree(root)

    expect(manifest.name).toBe('payload')
    expect(manifest.rootKind).toBe('dir')
    expect(list(manifest).map((e) => [e.path, e.kind])).toEqual([
      ['', 'dir'],
      ['Z', 'dir'],
      ['Z/nested', 'dir'],
      ['Z/nested/deep.dat', 'file'],
      ['a', 'dir'],
      ['a/b', 'file'],
      ['a.b', 'file'],
      ['a.bin', 'file'],
      ['b.txt', 'file'],
      ['dangling', 'symlink'],
      ['dirlink', 'symlink'],
      ['empty', 'file'],
      ['emptydir', 'dir'],
      ['link', 'symlink'],
      ['m', 'dir'],
      ['m/x', 'file'],
    ])
    expect(manifest.skipped).toEqual([
      { path: 'Z/nested/pipe2', reason: 'fifo' },
      { path: 'pipe', reason: 'fifo' },
    ])
    const entry = (path: string) => list(manifest).find((e) => e.path === path)
    expect(entry('link')).toMatchObject({ linkTarget: 'a.bin', size: 0 })
    expect(entry('dirlink')).toMatchObject({ linkTarget: 'm', size: 0 })
    expect(entry('dangling')).toMatchObject({ linkTarget: '../nowhere/at all' })
    expect(entry('empty')).toMatchObject({ kind: 'file', size: 0, mode: 0o640 })
    expect(entry('b.txt')).toMatchObject({ size: 3000, mode: 0o600 })
    expect(entry('a.bin')).toMatchObject({ size: 40_000, mode: 0o755 })
    expect(entry('emptydir')).toMatchObject({ mode: 0o700, size: 0 })
    expect(entry('link')?.linkTarget).toBe('a.bin')
    expect(entry('b.txt')?.linkTarget).toBeUndefined()

    // Only non-empty regular files travel through the swarm, in manifest order.
    const payloadPaths = ['Z/nested/deep.dat', 'a/b', 'a.b', 'a.bin', 'b.txt', 'm/x']
    expect([...files].map((f) => f.path)).toEqual(payloadPaths)
    expect([...files].map((f) => f.absPath)).toEqual(payloadPaths.map((p) => join(root, p)))
    expect(manifest.totalBytes).toBe(17 + 6 + 5 + 40_000 + 3000 + 1)

    const pieceLength = 16 * KiB
    const built = buildTorrent(manifest, files, pieceLength)
    const parsed = await parse(built.torrent)

    expect(built.infoHash).toMatch(/^[0-9a-f]{40}$/)
    expect(parsed.infoHash).toBe(built.infoHash)
    expect(parsed.private).toBe(true)
    expect(parsed.announce).toEqual([])
    expect(parsed.name).toBe('payload')
    expect(parsed.pieceLength).toBe(pieceLength)
    expect(parsed.length).toBe(manifest.totalBytes)
    expect(parsed.files.map((f) => [f.path, f.length])).toEqual(
      [...files].map((f) => [`payload/${f.path}`, f.size]),
    )
    // One placeholder per piece: the real hashes are computed while seeding (piece-hashes.ts).
    expect(parsed.pieces).toEqual(Array(Math.ceil(manifest.totalBytes / pieceLength)).fill('0'.repeat(40)))
  })

  test('links inside the tree are never followed, the named root is', async () => {
    const dir = await tmpDir()
    await buildTree(join(dir, 'elsewhere'), [{ kind: 'file', path: 'secret', content: 'do not send' }])
    await buildTree(join(dir, 'real'), [
      { kind: 'symlink', path: 'out', target: '../elsewhere' },
      { kind: 'symlink', path: 'file-link', target: '../elsewhere/secret' },
    ])
    await buildTree(dir, [{ kind: 'symlink', path: 'named', target: 'real' }])
    const { manifest, files } = await scanTree(join(dir, 'named'))
    expect(manifest.name).toBe('named')
    expect(manifest.rootKind).toBe('dir')
    expect(list(manifest).map((e) => [e.path, e.kind, e.linkTarget])).toEqual([
      ['', 'dir', undefined],
      ['file-link', 'symlink', '../elsewhere/secret'],
      ['out', 'symlink', '../elsewhere'],
    ])
    expect([...files]).toEqual([])
    expect(manifest.totalBytes).toBe(0)
  })

  test('a single file is a single-file torrent with rootKind file', async () => {
    const dir = await tmpDir()
    const content = bytes(50_000, 9)
    await buildTree(dir, [
      { kind: 'file', path: 'dump.sql', content, mode: 0o600, mtimeMs: 1_600_000_000_123.5 },
    ])
    const { manifest, files } = await scanTree(join(dir, 'dump.sql'))
    expect(manifest).toMatchObject({ name: 'dump.sql', rootKind: 'file', totalBytes: 50_000, skipped: [] })
    expect(list(manifest)).toEqual([
      {
        path: '',
        kind: 'file',
        mode: 0o600,
        uid: process.getuid?.() ?? expect.any(Number),
        gid: process.getgid?.() ?? expect.any(Number),
        mtimeMs: expect.closeTo(1_600_000_000_123.5, 3),
        atimeMs: expect.any(Number),
        size: 50_000,
      },
    ])
    expect([...files]).toEqual([{ path: '', absPath: join(dir, 'dump.sql'), size: 50_000, entry: 0 }])

    const built = buildTorrent(manifest, files, 16 * KiB)
    const parsed = await parse(built.torrent)
    expect(parsed.infoHash).toBe(built.infoHash)
    expect(parsed.name).toBe('dump.sql')
    expect(parsed.length).toBe(50_000)
    expect(parsed.files.map((f) => [f.path, f.length])).toEqual([['dump.sql', 50_000]])
    expect(parsed.lastPieceLength).toBe(50_000 - 3 * 16 * KiB)
    expect(parsed.pieces).toHaveLength(4)
    expect(built.pieceCount).toBe(4)
  })

  test('two scans of the same tree give the same info hash; a new size, time or name gives another', async () => {
    const dir = await tmpDir()
    const root = join(dir, 'p')
    await buildTree(root, [
      { kind: 'file', path: 'k', content: bytes(1000, 1) },
      { kind: 'file', path: 'c', content: bytes(2000, 2) },
      { kind: 'file', path: 'e/f', content: bytes(3000, 3) },
    ])
    const hashOf = async () => {
      const { manifest, files } = await scanTree(root)
      return buildTorrent(manifest, files, 1024).infoHash
    }
    const seen = new Set([await hashOf()])
    expect(seen.has(await hashOf())).toBe(true)
    // Reading the files (atime) changes nothing.
    await readFile(join(root, 'c'))
    expect(seen.has(await hashOf())).toBe(true)
    await utimes(join(root, 'c'), new Date(1_500_000_000_000), new Date(1_500_000_000_000))
    expect(seen.has(await hashOf())).toBe(false)
    seen.add(await hashOf())
    await writeFile(join(root, 'c'), bytes(2001, 2))
    expect(seen.has(await hashOf())).toBe(false)
    seen.add(await hashOf())
    await rename(join(root, 'k'), join(root, 'l'))
    expect(seen.has(await hashOf())).toBe(false)
  })

  test('the content id names the files alone: another piece length keeps it, another name does not', async () => {
    const dir = await tmpDir()
    const root = join(dir, 'p')
    await buildTree(root, [
      { kind: 'file', path: 'k', content: bytes(5000, 1) },
      { kind: 'file', path: 'e/f', content: bytes(3000, 3) },
    ])
    const { manifest, files } = await scanTree(root)
    const small = buildTorrent(manifest, files, 1024)
    const large = buildTorrent(manifest, files, 4096)
    expect(large.infoHash).not.toBe(small.infoHash)
    expect(large.contentId).toBe(small.contentId)
    expect(small.contentId).toMatch(/^[0-9a-f]{40}$/)
    await rename(join(root, 'k'), join(root, 'l'))
    const renamed = await scanTree(root)
    expect(buildTorrent(renamed.manifest, renamed.files, 1024).contentId).not.toBe(small.contentId)
    // A payload named by its run (a hot backup) is never resumed, so its id names the run too.
    expect(buildTorrent(manifest, files, 1024, 'run-1').contentId).not.toBe(small.contentId)
  })

  test('a missing source is an ENOENT error', async () => {
    const dir = await tmpDir()
    await expect(scanTree(join(dir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' })
  })

  test('a fifo as the source itself is refused', async () => {
    const dir = await tmpDir()
    await buildTree(dir, [{ kind: 'fifo', path: 'p' }])
    await expect(scanTree(join(dir, 'p'))).rejects.toThrow(/must be a file or a directory/)
  })
})
