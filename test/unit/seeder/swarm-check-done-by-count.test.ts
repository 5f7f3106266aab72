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
})
