import { describe, expect, test } from 'vitest'
import type { Torrent } from 'webtorrent'
import { dropDuplicateWires } from '../../../seeder/swarm/drop-duplicate-wires.js'
import { makePeerId } from '../../../shared/peer-id.js'
import { addAsAgent, dial, liveWires, smallPayload } from '../../helpers/peer-pair.js'
import { pollUntil } from '../../helpers/poll-until.js'
import { quietClient } from '../../helpers/quiet-client.js'

describe('dropDuplicateWires', () => {
  test('two peers that dial each other at once keep one connection', async () => {
    const payload = await smallPayload()
    const ids = [
      makePeerId({ role: 'target', site: 0, rank: 0 }),
      makePeerId({ role: 'target', site: 0, rank: 1 }),
    ] as const
    const clients = [quietClient(ids[0]), quietClient(ids[1])] as const
    const wiresSeen = [0, 0]
    const torrents = await Promise.all(
      clients.map((client, side) =>
        addAsAgent(client, payload.torrent, payload.dir, { readOnly: true }, (added) => {
          dropDuplicateWires(added, ids[side] ?? '')
          added.on('wire', () => {
            wiresSeen[side] = (wiresSeen[side] ?? 0) + 1
          })
        }),
      ),
    )
    const [a, b] = torrents as [Torrent, Torrent]
    await Promise.all([dial(a, clients[1]), dial(b, clients[0])])
    // Under load the duplicate can be refused before one side announces it, so the total seen is 2
    // or more: what must hold is that both sides got a connection, and only one survives.
    await pollUntil(
      'a connection on each side',
      async () => ((wiresSeen[0] ?? 0) >= 1 && (wiresSeen[1] ?? 0) >= 1 ? true : undefined),
      { timeoutMs: 15_000 },
    )
    const survivors = await pollUntil(
      'one connection each way',
      async () => {
        const [onA, onB] = [liveWires(a), liveWires(b)]
        return onA.length === 1 && onB.length === 1 ? [onA[0], onB[0]] : undefined
      },
      { timeoutMs: 15_000 },
    )
    expect((wiresSeen[0] ?? 0) + (wiresSeen[1] ?? 0)).toBeGreaterThanOrEqual(2)
    expect(survivors[0]?.peerId).toBe(ids[1])
    expect(survivors[1]?.peerId).toBe(ids[0])
    // Two real clients on sockets: in the full unit run on 2 cores, setting them up alone can take
    // most of vitest's default 5 s, and with the integration tests' MariaDB servers running beside
    // them the handshakes and the closing of the duplicate took more than 8 s once in CI.
  }, 40_000)
})
