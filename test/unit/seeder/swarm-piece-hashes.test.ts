import { once } from 'node:events'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import type { Torrent } from 'webtorrent'
import { buildTorrent } from '../../../seeder/package/build-torrent.js'
import { hashPieces } from '../../../seeder/package/hash-pieces.js'
import { scanTree } from '../../../seeder/package/scan-tree.js'
import { PayloadStore } from '../../../seeder/store/payload-store.js'
import { addOwnTorrent } from '../../../seeder/swarm/add-own-torrent.js'
import { learnPieceHashes, seedHashedPiece, startWithNoPieces } from '../../../seeder/swarm/piece-hashes.js'
import { quietClient } from '../../helpers/quiet-client.js'
import { buildTree, tmpDir } from '../../helpers/tmp-tree.js'

const PIECE = 1024
/** Five pieces and a bit: the last one is short. */
const content = Buffer.from(Array.from({ length: 5 * PIECE + 100 }, (_, i) => (i * 31 + 7) % 251))

/** Adds the torrent as the agents do: nothing held until its hash is known. */
async function addWithNoPieces(
  torrent: Buffer,
  path: string,
  storeOpts: Record<string, unknown> = {},
): Promise<Torrent> {
  const added = addOwnTorrent(quietClient(), torrent, {
    path,
    store: PayloadStore,
    storeOpts,
    skipVerify: true,
  })
  startWithNoPieces(added)
  await once(added, 'ready')
  return added
}

function held(torrent: Torrent): boolean[] {
  const { bitfield, pieces } = torrent as unknown as {
    bitfield: { get(i: number): boolean }
    pieces: unknown[]
  }
  return pieces.map((_, i) => bitfield.get(i))
}

async function payload() {
  const dir = await tmpDir()
  await buildTree(join(dir, 'src'), [{ kind: 'file', path: 'data.bin', content }])
  const { manifest, files } = await scanTree(join(dir, 'src', 'data.bin'))
  const { torrent } = buildTorrent(manifest, files, PIECE)
  return { dir, torrent, digests: await hashPieces(files, PIECE) }
}

describe('seeding pieces as they are hashed (webtorrent 2.8.5)', () => {
  test('a source holds nothing until a piece is hashed, and is done once every piece is', async () => {
    const { dir, torrent, digests } = await payload()
    const added = await addWithNoPieces(torrent, join(dir, 'src'), { readOnly: true })
    expect(held(added)).toEqual([false, false, false, false, false, false])
    expect(added.done).toBe(false)
    for (let piece = 0; piece < 6; piece++) {
      seedHashedPiece(added, piece, digests.subarray(piece * 20, piece * 20 + 20))
      expect(held(added).filter(Boolean)).toHaveLength(piece + 1)
    }
    expect(added.done).toBe(true)
  })

  test('a resumed target keeps the pieces of its staging copy that match their hashes, and only those', async () => {
    const { dir, torrent, digests } = await payload()
    // An interrupted run's staging copy: pieces 0, 1 and 3 written, 2 damaged, 4 and 5 never came.
    const staged = Buffer.alloc(content.length)
    content.copy(staged, 0, 0, 4 * PIECE)
    staged[2 * PIECE + 10] = (staged[2 * PIECE + 10] ?? 0) ^ 0xff
    await mkdir(join(dir, 'staging'))
    await writeFile(join(dir, 'staging', 'data.bin'), staged)
    const added = await addWithNoPieces(torrent, join(dir, 'staging'))
    expect(held(added).some(Boolean)).toBe(false)
    // In two batches, as the source sends them.
    expect(await learnPieceHashes(added, 0, digests.subarray(0, 3 * 20), true)).toBe(3)
    expect(held(added)).toEqual([true, true, false, false, false, false])
    expect(await learnPieceHashes(added, 3, digests.subarray(3 * 20), true)).toBe(3)
    expect(held(added)).toEqual([true, true, false, true, false, false])
    expect(added.done).toBe(false)
  })

  test('a fresh target only records the hashes, and refuses a batch that does not fit', async () => {
    const { dir, torrent, digests } = await payload()
    await mkdir(join(dir, 'staging'))
    const added = await addWithNoPieces(torrent, join(dir, 'staging'))
    expect(await learnPieceHashes(added, 0, digests, false)).toBe(6)
    const hashes = (added as unknown as { _hashes: string[] })._hashes
    expect(hashes).toEqual(Array.from({ length: 6 }, (_, i) => digests.toString('hex', i * 20, i * 20 + 20)))
    expect(held(added).some(Boolean)).toBe(false)
    await expect(learnPieceHashes(added, 1, digests, false)).rejects.toThrow(RangeError)
    await expect(learnPieceHashes(added, 0, digests.subarray(0, 30), false)).rejects.toThrow(RangeError)
  })
})
