import { describe, expect, test } from 'vitest'
import { peerPort } from '../../../seeder/firewall/firewall-holes.js'
import { type DroppedPeer, dropBadPeers } from '../../../seeder/swarm/drop-bad-peers.js'
import { learnPieceHashes, seedHashedPiece } from '../../../seeder/swarm/piece-hashes.js'
import { makePeerId } from '../../../shared/peer-id.js'
import { addAsAgent, dial, internals, liveWires, smallPayload } from '../../helpers/peer-pair.js'
import { pollUntil } from '../../helpers/poll-until.js'
import { quietClient } from '../../helpers/quiet-client.js'
import { tmpDir } from '../../helpers/tmp-tree.js'

describe('dropBadPeers', () => {
  test('a peer whose pieces fail their hash is dropped at the second and never dialled again', async () => {
    const payload = await smallPayload(6, 16 * 1024)
    const [badId, ownId] = [1, 0].map((rank) => makePeerId({ role: 'target', site: 0, rank })) as [
      string,
      string,
    ]
    const badClient = quietClient(badId)
    // A peer with a broken disk: it holds every piece, and every block it reads has a byte flipped.
    const bad = await addAsAgent(badClient, payload.torrent, payload.dir, {
      readOnly: true,
      corruptReadsForTest: true,
    })
    for (let piece = 0; piece < payload.pieceCount; piece++)
      seedHashedPiece(bad, piece, payload.digests.subarray(piece * 20, piece * 20 + 20))
    const dropped: DroppedPeer[] = []
    const own = await addAsAgent(quietClient(ownId), payload.torrent, await tmpDir(), {}, (added) =>
      dropBadPeers(added, (peer) => dropped.push(peer)),
    )
    await learnPieceHashes(own, 0, payload.digests, false)
    await dial(own, badClient)

    await pollUntil('the bad peer dropped', async () => (dropped.length > 0 ? true : undefined), {
      timeoutMs: 20_000,
    })
    expect(dropped).toEqual([
      { peer: { role: 'target', site: 0, rank: 1 }, address: '127.0.0.1', failedPieces: 2 },
    ])
    await pollUntil('its connection closed', async () => (liveWires(own).length === 0 ? true : undefined), {
      timeoutMs: 10_000,
    })
    expect(internals(own)._addPeer(`127.0.0.1:${await peerPort(badClient)}`, 'tcpOutgoing')).toBeNull()
    expect(internals(own).bitfield.get(0)).toBe(false)
  }, 40_000)
})
