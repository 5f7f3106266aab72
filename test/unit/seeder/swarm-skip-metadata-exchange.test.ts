import { describe, expect, test } from 'vitest'
import type { Torrent } from 'webtorrent'
import { skipMetadataExchange } from '../../../seeder/swarm/skip-metadata-exchange.js'
import { addAsAgent, dial, liveWires, smallPayload } from '../../helpers/peer-pair.js'
import { pollUntil } from '../../helpers/poll-until.js'
import { quietClient } from '../../helpers/quiet-client.js'

describe('skipMetadataExchange', () => {
  test('peers offer each other no metadata', async () => {
    const payload = await smallPayload()
    const clients = [quietClient(), quietClient()] as const
    const [a, b] = (await Promise.all(
      clients.map((client) =>
        addAsAgent(client, payload.torrent, payload.dir, { readOnly: true }, skipMetadataExchange),
      ),
    )) as [Torrent, Torrent]
    await dial(a, clients[1])
    // BEP 9: a peer that can serve the metadata says how large it is in its extended handshake.
    const handshakes = await pollUntil(
      'extended handshakes both ways',
      async () => {
        const seen = [a, b].map((t) => liveWires(t)[0]?.peerExtendedHandshake as Record<string, unknown>)
        return seen.every((h) => h !== undefined && 'm' in h) ? seen : undefined
      },
      { timeoutMs: 4_000 },
    )
    for (const handshake of handshakes) {
      expect(handshake.m).toHaveProperty('ut_metadata')
      expect(handshake).not.toHaveProperty('metadata_size')
    }
  })
})
