import { describe, expect, test } from 'vitest'
import { seedHashedPiece } from '../../../seeder/swarm/piece-hashes.js'
import { serveOnly } from '../../../seeder/swarm/serve-only.js'
import { addAsAgent, dial, internals, liveWires, smallPayload } from '../../helpers/peer-pair.js'
import { pollUntil } from '../../helpers/poll-until.js'
import { quietClient } from '../../helpers/quiet-client.js'

describe('serveOnly', () => {
  test('the source asks a peer holding everything for nothing', async () => {
    const payload = await smallPayload()
    const [sourceClient, holderClient] = [quietClient(), quietClient()]
    // The source has hashed nothing yet; the holder holds every piece (it serves the same files).
    const source = await addAsAgent(sourceClient, payload.torrent, payload.dir, { readOnly: true }, serveOnly)
    const holder = await addAsAgent(holderClient, payload.torrent, payload.dir, { readOnly: true })
    for (let piece = 0; piece < payload.pieceCount; piece++)
      seedHashedPiece(holder, piece, payload.digests.subarray(piece * 20, piece * 20 + 20))
    await dial(source, holderClient)
    const wire = await pollUntil(
      'the holder unchokes the source',
      async () => {
        const [open] = liveWires(source)
        return open !== undefined && !open.peerChoking && open.peerPieces.get(0) ? open : undefined
      },
      { timeoutMs: 4_000 },
    )
    // What webtorrent does on every wire after every message, now, with a peer that has it all.
    internals(source)._updateWire(wire)
    expect(wire.requests).toEqual([])
    expect(source.downloaded).toBe(0)
  })
})
