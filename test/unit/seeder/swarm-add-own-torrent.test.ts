import { once } from 'node:events'
import { basename, join } from 'node:path'
import bencode from 'bencode'
import { describe, expect, test } from 'vitest'
import type { ParsedTorrent } from 'webtorrent'
import { buildTorrent } from '../../../seeder/package/build-torrent.js'
import { scanTree } from '../../../seeder/package/scan-tree.js'
import { pieceCacheSlots } from '../../../seeder/policy/memory-budget.js'
import { PayloadStore } from '../../../seeder/store/payload-store.js'
import { addOwnTorrent, parseOwnTorrent } from '../../../seeder/swarm/add-own-torrent.js'
import { decodeBencode } from '../../../seeder/swarm/decode-bencode.js'
import { quietClient } from '../../helpers/quiet-client.js'
import { buildTree, type TreeEntry, tmpDir } from '../../helpers/tmp-tree.js'

/** parse-torrent, what webtorrent itself would make of the bytes. */
async function parseTorrent(torrent: Uint8Array): Promise<ParsedTorrent> {
  const module = (await import('parse-torrent' as string)) as {
    default: (id: Uint8Array) => Promise<ParsedTorrent>
  }
  return module.default(torrent)
}

async function ownTorrent(entries: readonly TreeEntry[], source: string, pieceLength: number) {
  const dir = await tmpDir()
  await buildTree(join(dir, 'payload'), entries)
  const { manifest, files } = await scanTree(join(dir, 'payload', source))
  const built = buildTorrent(manifest, files, pieceLength)
  return { ...built, root: join(dir, 'payload', source) }
}

const tree: TreeEntry[] = [
  { kind: 'file', path: 'a.bin', content: Buffer.alloc(5000, 1) },
  { kind: 'file', path: 'sub/b', content: Buffer.alloc(70, 2) },
  { kind: 'file', path: 'sub/日本語 café', content: Buffer.alloc(3000, 3) },
  { kind: 'file', path: 'z/empty' },
  { kind: 'file', path: 'z/last', content: Buffer.alloc(1, 4) },
]

describe('parseOwnTorrent', () => {
  test.each<[string, string, number]>([
    ['a directory tree', '', 1024],
    ['a tree whose pieces divide it evenly', '', 8071],
    ['a single file', 'a.bin', 4096],
  ])('%s: what parse-torrent gives, without re-encoding', async (_why, source, pieceLength) => {
    const { torrent, infoHash } = await ownTorrent(tree, source, pieceLength)
    const own = parseOwnTorrent(torrent)
    const reference = await parseTorrent(torrent)
    expect(own.infoHash).toBe(infoHash)
    for (const key of [
      'infoHash',
      'name',
      'private',
      'length',
      'pieceLength',
      'lastPieceLength',
      'pieces',
    ] as const) {
      expect(own[key], key).toEqual(reference[key])
    }
    expect(Buffer.from(own.infoHashBuffer).toString('hex')).toBe(infoHash)
    // The real files are read from the bytes; webtorrent is given one file spanning them.
    const { payloadFiles } = own
    const listed = Array.from({ length: payloadFiles.count }, (_, i) => ({
      path: payloadFiles.path(i),
      name: basename(payloadFiles.path(i)),
      length: payloadFiles.length(i),
      offset: payloadFiles.offset(i),
    }))
    expect(listed).toEqual(reference.files)
    expect(own.files).toEqual([{ path: own.name, name: own.name, length: own.length, offset: 0 }])
    // The info dict without its file list: webtorrent only checks that there is one.
    const { files: _files, ...head } = reference.info as { files?: unknown }
    expect(bencode.encode(own.info)).toEqual(bencode.encode(head))
  })

  test('refuses a torrent it did not make', () => {
    const foreign = bencode.encode({
      announce: 'http://x',
      info: { name: 'n', 'piece length': 1, pieces: '' },
    })
    expect(() => parseOwnTorrent(foreign)).toThrow(/not a torrent made by build-torrent/)
  })
})

describe('addOwnTorrent', () => {
  test('webtorrent takes the parsed torrent, ready to seed, and keeps the original bytes', async () => {
    const { torrent, infoHash, root } = await ownTorrent(tree, '', 1024)
    const added = addOwnTorrent(quietClient(), torrent, {
      path: join(root, '..'),
      store: PayloadStore,
      storeOpts: { readOnly: true },
      skipVerify: true,
    })
    await once(added, 'ready')
    const internals = added as unknown as {
      name: string
      torrentFile: Uint8Array
      info: unknown
      files: { path: string; length: number }[]
      store: { get(index: number, cb: (err: Error | null, bytes: Uint8Array) => void): void }
    }
    expect(added.infoHash).toBe(infoHash)
    expect(added.done).toBe(true)
    expect(Buffer.from(internals.torrentFile).equals(Buffer.from(torrent))).toBe(true)
    // Let go once webtorrent has the metadata; decoded whole from the bytes when asked.
    expect(internals.info).toEqual((decodeBencode(Buffer.from(torrent)) as { info: unknown }).info)
    // webtorrent sees one file spanning the payload; the store reads and writes the real ones.
    expect(internals.files.map((f) => [f.path, f.length])).toEqual([[internals.name, added.length]])
    const contents = new Map(
      tree.map((e) => [
        `${internals.name}/${e.path}`,
        e.kind === 'file' ? Buffer.from(e.content ?? '') : Buffer.alloc(0),
      ]),
    )
    const { payloadFiles } = parseOwnTorrent(torrent)
    const payload = Buffer.concat(
      Array.from({ length: payloadFiles.count }, (_, i) => contents.get(payloadFiles.path(i)) as Buffer),
    )
    const pieces = await Promise.all(
      Array.from(
        { length: Math.ceil(payload.length / 1024) },
        (_, index) =>
          new Promise<Uint8Array>((resolve, reject) =>
            internals.store.get(index, (err, bytes) => (err ? reject(err) : resolve(bytes))),
          ),
      ),
    )
    expect(Buffer.concat(pieces).equals(payload)).toBe(true)
    // webtorrent's default of 20 pieces is 320 MiB at 16 MiB pieces; the cache is sized in bytes.
    expect((added as unknown as { _storeCacheSlots: number })._storeCacheSlots).toBe(pieceCacheSlots(1024))
  })
})
