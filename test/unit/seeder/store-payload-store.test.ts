import { access, mkdir, readdir, readFile, rename, stat, symlink, utimes } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import type { StoredFile } from '../../../seeder/store/locate-span.js'
import { PayloadStore } from '../../../seeder/store/payload-store.js'
import { WriteBacklog } from '../../../seeder/store/write-backlog.js'
import { buildTree, tmpDir } from '../../helpers/tmp-tree.js'

/** Lays files end to end, as a torrent does. */
function layout(entries: readonly [string, number][]): { files: StoredFile[]; length: number } {
  let offset = 0
  const files = entries.map(([path, length]) => {
    const file = { path, length, offset }
    offset += length
    return file
  })
  return { files, length: offset }
}

function pattern(length: number, seed = 0): Buffer {
  return Buffer.from(Array.from({ length }, (_, i) => (i * 31 + seed * 7 + 11) & 0xff))
}

function put(store: PayloadStore, index: number, buf: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => store.put(index, buf, (err) => (err ? reject(err) : resolve())))
}

function get(
  store: PayloadStore,
  index: number,
  opts?: { offset?: number; length?: number },
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const cb = (err: Error | null, value?: Uint8Array) =>
      err ? reject(err) : resolve(Buffer.from(value ?? []))
    if (opts === undefined) store.get(index, cb)
    else store.get(index, opts, cb)
  })
}

function close(store: PayloadStore): Promise<void> {
  return new Promise((resolve) => store.close(() => resolve()))
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  )
}

async function openStore(
  files: readonly [string, number][],
  chunkLength: number,
  readOnly = false,
  maxOpenFiles?: number,
) {
  const dir = await tmpDir()
  const { files: stored, length } = layout(files)
  const store = new PayloadStore(chunkLength, {
    path: dir,
    files: stored,
    length,
    ...(readOnly ? { readOnly } : {}),
    ...(maxOpenFiles === undefined ? {} : { maxOpenFiles }),
  })
  return { dir, store, length }
}

/** Writes every chunk of `data`, then reads every chunk back. */
async function roundTrip(store: PayloadStore, data: Buffer, chunkLength: number): Promise<Buffer> {
  for (let i = 0; i * chunkLength < data.length; i++) {
    await put(store, i, data.subarray(i * chunkLength, (i + 1) * chunkLength))
  }
  const chunks: Buffer[] = []
  for (let i = 0; i * chunkLength < data.length; i++) chunks.push(await get(store, i))
  return Buffer.concat(chunks)
}

describe('PayloadStore', () => {
  test('a full disk fails a write with NO_SPACE and the file it was writing', async () => {
    const { dir, store } = await openStore([['full', 4000]], 1000)
    // Writes to /dev/full fail with ENOSPC, as they do on a full filesystem.
    await symlink('/dev/full', join(dir, 'full'))
    await expect(put(store, 0, pattern(1000))).rejects.toMatchObject({
      code: 'NO_SPACE',
      message: `no space left on the device (ENOSPC) writing ${join(dir, 'full')}`,
    })
    await close(store)
  })

  test('a store whose files moved serves them from the new root, and refuses writes there', async () => {
    // A target lands its copy mid-run and keeps serving it: one file open at the move, one not.
    const files: [string, number][] = [
      ['p/a', 3000],
      ['p/b', 3000],
    ]
    const { dir, store } = await openStore(files, 1000, false, 1)
    const data = pattern(6000)
    expect(await roundTrip(store, data, 1000)).toEqual(data)
    const moved = join(dir, 'landed')
    await mkdir(moved)
    await rename(join(dir, 'p'), join(moved, 'p'))
    store.moveTo(moved)
    const chunks: Buffer[] = []
    for (let i = 0; i < 6; i++) chunks.push(await get(store, i))
    expect(Buffer.concat(chunks)).toEqual(data)
    await expect(put(store, 0, data.subarray(0, 1000))).rejects.toThrow(/read-only/)
    await close(store)
  })

  test.each<[string, [string, number][], number]>([
    ['one file, whole chunks', [['p/a', 32]], 8],
    ['one file, short last chunk', [['p/a', 30]], 8],
    [
      'chunks across file boundaries',
      [
        ['p/a', 5],
        ['p/d/b', 7],
        ['p/c', 4],
      ],
      8,
    ],
    [
      'a chunk spanning many tiny files',
      [
        ['p/1', 1],
        ['p/2', 2],
        ['p/3', 1],
        ['p/4', 3],
        ['p/5', 1],
      ],
      8,
    ],
    [
      'files ending on chunk boundaries',
      [
        ['p/a', 8],
        ['p/b', 16],
        ['p/c', 8],
      ],
      8,
    ],
    [
      'one chunk larger than the payload',
      [
        ['p/a', 3],
        ['p/b', 4],
      ],
      1024,
    ],
    ['a single-file payload at the root', [['file.bin', 100]], 16],
  ])(
    '%s: put then get round-trips, and the files hold the right bytes',
    async (_why, entries, chunkLength) => {
      const { dir, store, length } = await openStore(entries, chunkLength)
      const data = pattern(length)
      expect((await roundTrip(store, data, chunkLength)).equals(data)).toBe(true)
      await close(store)
      let offset = 0
      for (const [path, size] of entries) {
        expect((await readFile(join(dir, path))).equals(data.subarray(offset, offset + size))).toBe(true)
        offset += size
      }
    },
  )

  test.each<[string, number, { offset?: number; length?: number } | undefined, [number, number]]>([
    ['a whole middle chunk', 1, undefined, [8, 16]],
    ['the short last chunk', 2, undefined, [16, 20]],
    ['an offset inside a chunk', 0, { offset: 3 }, [3, 8]],
    ['offset and length across a file boundary', 0, { offset: 4, length: 3 }, [4, 7]],
    ['a length only', 1, { length: 2 }, [8, 10]],
    ['offset in the last chunk', 2, { offset: 1, length: 2 }, [17, 19]],
  ])('get of %s', async (_why, index, opts, [from, to]) => {
    const { dir, store } = await openStore(
      [
        ['p/a', 5],
        ['p/b', 7],
        ['p/c', 8],
      ],
      8,
    )
    const data = pattern(20, 3)
    await buildTree(join(dir, 'p'), [
      { kind: 'file', path: 'a', content: data.subarray(0, 5) },
      { kind: 'file', path: 'b', content: data.subarray(5, 12) },
      { kind: 'file', path: 'c', content: data.subarray(12, 20) },
    ])
    expect((await get(store, index, opts)).equals(data.subarray(from, to))).toBe(true)
    await close(store)
  })

  test('a get of a never-written file fails and creates nothing', async () => {
    const { dir, store } = await openStore(
      [
        ['p/sub/a', 4],
        ['p/b', 4],
      ],
      8,
    )
    await expect(get(store, 0)).rejects.toMatchObject({ code: 'ENOENT' })
    // A second read (after the failed open was dropped from the cache) fails the same way.
    await expect(get(store, 0, { offset: 4, length: 4 })).rejects.toMatchObject({ code: 'ENOENT' })
    await close(store)
    expect(await readdir(dir)).toEqual([])
  })

  // A read of a file that does not exist yet opens it without creating it; a write issued while that
  // open is pending reuses the same cached (failing) open and fails too, although writes create files.
  test('a put issued while a get of the same missing file is pending still succeeds', async () => {
    const { dir, store } = await openStore([['p/a', 4]], 4)
    const read = get(store, 0).then(
      () => 'read',
      (err: NodeJS.ErrnoException) => err.code,
    )
    const write = put(store, 0, Buffer.from('data'))
    expect(await read).toBe('ENOENT')
    await write
    await close(store)
    expect(await readFile(join(dir, 'p/a'), 'utf8')).toBe('data')
  })

  test('a put counts in the write backlog until its bytes are in the files, and a failed one too', async () => {
    const dir = await tmpDir()
    const backlog = new WriteBacklog()
    const { files, length } = layout([
      ['p/a', 4],
      ['p/b', 4],
    ])
    const store = new PayloadStore(4, { path: dir, files, length, backlog })
    const written = put(store, 0, pattern(4))
    // The file is created through the thread pool, so the bytes are still in memory here.
    expect(backlog.bytes).toBe(4)
    await written
    expect(backlog.bytes).toBe(0)
    expect(await readFile(join(dir, 'p/a'))).toEqual(pattern(4))

    // A directory where the file should be: the open fails, and the bytes leave the backlog anyway.
    await mkdir(join(dir, 'p/b'))
    const failed = put(store, 1, pattern(4))
    expect(backlog.bytes).toBe(4)
    await expect(failed).rejects.toThrow()
    expect(backlog.bytes).toBe(0)
  })

  test('reads by a target keep the access time that was restored after the write', async () => {
    // A target restores its copy's times while it still serves other targets (fetch-target.ts).
    const data = pattern(64, 3)
    for (const reopen of [false, true]) {
      const { dir, store } = await openStore([['p/a', 64]], 16, false, reopen ? 0 : undefined)
      for (let i = 0; i < 4; i++) await put(store, i, data.subarray(i * 16, (i + 1) * 16))
      // Older than a day and older than the mtime: relatime would move it on the next read.
      const atime = new Date(Date.now() - 3 * 86_400_000)
      await utimes(join(dir, 'p/a'), atime, new Date(Date.now() - 2 * 86_400_000))
      expect(await get(store, 2)).toEqual(data.subarray(32, 48))
      // utimes goes through float seconds: equal to well under a millisecond, not exactly.
      expect((await stat(join(dir, 'p/a'))).atimeMs, reopen ? 'reopened' : 'open').toBeCloseTo(
        atime.getTime(),
        0,
      )
      await close(store)
    }
  })

  test('a read-only store refuses put and creates nothing', async () => {
    const { dir, store } = await openStore([['p/a', 4]], 4, true)
    await expect(put(store, 0, pattern(4))).rejects.toThrow(/read-only/)
    expect(await readdir(dir)).toEqual([])
  })

  test('a read-only store reads existing files and never writes them', async () => {
    const { dir, store } = await openStore(
      [
        ['p/a', 3],
        ['p/b', 3],
      ],
      4,
      true,
    )
    await buildTree(join(dir, 'p'), [
      { kind: 'file', path: 'a', content: 'abc', mode: 0o400 },
      { kind: 'file', path: 'b', content: 'def', mode: 0o400 },
    ])
    expect((await get(store, 0)).toString()).toBe('abcd')
    expect((await get(store, 1)).toString()).toBe('ef')
    await expect(put(store, 0, Buffer.from('XXXX'))).rejects.toThrow(/read-only/)
    await close(store)
    expect(await readFile(join(dir, 'p/a'), 'utf8')).toBe('abc')
  })

  test('a read-only store leaves the source files’ access times as they were', async () => {
    const { dir, store } = await openStore([['p/a', 3]], 4, true)
    await buildTree(join(dir, 'p'), [{ kind: 'file', path: 'a', content: 'abc' }])
    // Older than a day: relatime would move it on the next read.
    const atime = new Date(Date.now() - 3 * 86_400_000)
    await utimes(join(dir, 'p/a'), atime, new Date(Date.now() - 2 * 86_400_000))
    expect((await get(store, 0)).toString()).toBe('abc')
    await close(store)
    expect((await stat(join(dir, 'p/a'))).atimeMs).toBeCloseTo(atime.getTime(), 0)
  })

  test.each(['../outside', 'p/../../outside', '/etc/passwd', '', '.', 'p/..', '..'])(
    'refuses the path %j that escapes the root',
    async (path) => {
      const dir = await tmpDir()
      expect(
        () =>
          new PayloadStore(4, {
            path: dir,
            files: [
              { path: 'p/ok', length: 4, offset: 0 },
              { path, length: 4, offset: 4 },
            ],
            length: 8,
          }),
      ).toThrowError(/torrent path escapes the payload/)
    },
  )

  test.each([
    'p/quote"d',
    'p/co:lon',
    'p/question?',
    'p/star*',
    'p/with spaces ',
    'p/ leading space',
    'p/日本語/ファイル',
    'p/emoji 🎉',
    'p/café (1)',
    'p/back\\slash',
    'p/<angle>|pipe',
    'p/trailing.',
  ])('keeps the name %j exactly', async (name) => {
    const { dir, store } = await openStore(
      [
        ['p/first', 2],
        [name, 5],
      ],
      4,
    )
    const data = pattern(7, 5)
    expect((await roundTrip(store, data, 4)).equals(data)).toBe(true)
    await close(store)
    const parts = name.split('/')
    const parent = join(dir, ...parts.slice(0, -1))
    expect(await readdir(parent)).toContain(parts.at(-1))
    expect((await readFile(join(dir, name))).equals(data.subarray(2))).toBe(true)
  })

  test('more files than the open-file cache, with concurrent puts and gets, stays correct', async () => {
    const count = 300
    const entries: [string, number][] = Array.from({ length: count }, (_, i) => [
      `p/d${i % 7}/f${i}`,
      1 + ((i * 13) % 11),
    ])
    const chunkLength = 16
    const { dir, store, length } = await openStore(entries, chunkLength, false, 24)
    const data = pattern(length, 9)
    const chunks = Math.ceil(length / chunkLength)
    const indexes = Array.from({ length: chunks }, (_, i) => i)
    // Writes and reads are all in flight at once, in a scrambled order, so the LRU evicts under load.
    const scrambled = indexes.map((i) => (i * 37) % chunks)
    expect(new Set(scrambled).size).toBe(chunks)
    await Promise.all(
      scrambled.map((i) => put(store, i, data.subarray(i * chunkLength, (i + 1) * chunkLength))),
    )
    for (let round = 0; round < 3; round++) {
      const got = await Promise.all(scrambled.map(async (i) => [i, await get(store, i)] as const))
      for (const [i, chunk] of got) {
        expect(chunk.equals(data.subarray(i * chunkLength, (i + 1) * chunkLength))).toBe(true)
      }
    }
    await close(store)
    let offset = 0
    for (const [path, size] of entries) {
      expect((await readFile(join(dir, path))).equals(data.subarray(offset, offset + size))).toBe(true)
      offset += size
    }
  })

  test('a closed store refuses I/O', async () => {
    const { dir, store } = await openStore([['p/a', 4]], 4)
    await close(store)
    await expect(put(store, 0, pattern(4))).rejects.toThrow(/closed/)
    await expect(get(store, 0)).rejects.toThrow(/closed/)
    expect(await exists(join(dir, 'p'))).toBe(false)
  })

  test('destroy never deletes the payload', async () => {
    const { dir, store } = await openStore([['p/a', 4]], 4)
    await put(store, 0, Buffer.from('keep'))
    await new Promise<void>((resolve) => store.destroy(() => resolve()))
    expect(await readFile(join(dir, 'p/a'), 'utf8')).toBe('keep')
  })

  test('a put over an existing file writes in place, keeping the rest', async () => {
    const { dir, store } = await openStore(
      [
        ['p/a', 4],
        ['p/b', 4],
      ],
      4,
    )
    await buildTree(join(dir, 'p'), [
      { kind: 'file', path: 'a', content: 'AAAA' },
      { kind: 'file', path: 'b', content: 'BBBB' },
    ])
    await put(store, 1, Buffer.from('xyzw'))
    await close(store)
    expect(await readFile(join(dir, 'p/a'), 'utf8')).toBe('AAAA')
    expect(await readFile(join(dir, 'p/b'), 'utf8')).toBe('xyzw')
  })
})
