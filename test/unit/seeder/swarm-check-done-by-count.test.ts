import { once } from 'node:events'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { buildTorrent } from '../../../seeder/package/build-torrent.js'
import { hashPieces } from '../../../seeder/package/hash-pieces.js'
import { scanTree } from '../../../seeder/package/scan-tree.js'
import { PayloadStore } from '../../../seeder/store/payload-store.js'
import { addOwnTorrent } from '../../../seeder/swarm/add-own-torrent.js'
import { checkDoneByCount } from '../../../seeder/swarm/check-done-by-count.js'
import { seedHashedPiece, startWithNoPieces } from '../../../seeder/swarm/piece-hashes.js'
import { addAsAgent, internals, smallPayload } from '../../helpers/peer-pair.js'
import { quietClient } from '../../helpers/quiet-client.js'
import { buildTree, type TreeEntry, tmpDir } from '../../helpers/tmp-tree.js'

const PIECE = 1024

describe('checkDoneByCount', () => {
  test('a tree is done when its last piece is held, not before, and says so once', async () => {
    const dir = await tmpDir()
    // Files smaller than a piece, and pieces spanning several files.
    const entries: TreeEntry[] = Array.from({ length: 40 }, (_, i) => ({
      kind: 'file',
      path: `d${i % 3}/f${i}`,
      content: Buffer.alloc(100 + i * 7, i),
    }))
    await buildTree(join(dir, 'src'), entries)
    const { manifest, files } = await scanTree(join(dir, 'src'))
    const digests = await hashPieces(files, PIECE)
    const pieceCount = digests.length / 20
    expect(pieceCount).toBeGreaterThan(3)
    const added = addOwnTorrent(quietClient(), buildTorrent(manifest, files, PIECE).torrent, {
      path: dir,
      store: PayloadStore,
      storeOpts: { readOnly: true },
      skipVerify: true,
    })
    startWithNoPieces(added)
    checkDoneByCount(added, pieceCount)
    let doneEvents = 0
    added.on('done', () => doneEvents++)
    await once(added, 'ready')
    const seed = (piece: number) =>
      seedHashedPiece(added, piece, digests.subarray(piece * 20, piece * 20 + 20))
    // Backwards, with one piece announced twice: only distinct pieces count.
    for (let piece = pieceCount - 1; piece >= 1; piece--) seed(piece)
    seed(1)
    expect(added.done).toBe(false)
    expect(doneEvents).toBe(0)
    seed(0)
    expect(added.done).toBe(true)
    expect(doneEvents).toBe(1)
    const { files: torrentFiles } = added as unknown as { files: { done: boolean }[] }
    expect(torrentFiles.every((file) => file.done)).toBe(true)
  })

  test('holding pieces in order reads no bitfield to decide whether the torrent is done', async () => {
    const payload = await smallPayload(200, 1024)
    const added = await addAsAgent(quietClient(), payload.torrent, payload.dir, { readOnly: true }, (t) =>
      checkDoneByCount(t, payload.pieceCount),
    )
    // webtorrent's own check walks the pieces of every file not yet done after each piece, from the
    // file's first: holding n pieces in order costs about n * n / 2 reads there.
    const { bitfield } = internals(added)
    const get = bitfield.get.bind(bitfield)
    let reads = 0
    bitfield.get = (index: number) => {
      reads++
      return get(index)
    }
    for (let piece = 0; piece < payload.pieceCount; piece++)
      seedHashedPiece(added, piece, payload.digests.subarray(piece * 20, piece * 20 + 20))
    expect(added.done).toBe(true)
    // What remains is webtorrent moving its selection past each piece held: four reads per piece here, where the walk took a hundred.
    expect(reads).toBeLessThan(8 * payload.pieceCount)
  })
})
