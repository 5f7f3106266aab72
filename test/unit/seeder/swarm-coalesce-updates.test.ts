import { describe, expect, test } from 'vitest'
import type { Torrent } from 'webtorrent'
import { coalesceUpdates } from '../../../seeder/swarm/coalesce-updates.js'
import { makePeerId } from '../../../shared/peer-id.js'
import { addAsAgent, dial, internals, liveWires, smallPayload } from '../../helpers/peer-pair.js'
import { pollUntil } from '../../helpers/poll-until.js'
import { quietClient } from '../../helpers/quiet-client.js'

describe('coalesceUpdates', () => {
  test("a burst of a peer's haves costs webtorrent one update and one interest walk", async () => {
    const payload = await smallPayload(200)
    const ids = [0, 1].map((rank) => makePeerId({ role: 'target', site: 0, rank }))
    const clients = ids.map((id) => quietClient(id))
    const calls = { update: 0, interest: 0 }
    const [a, b] = (await Promise.all(
      clients.map((client, side) =>
        addAsAgent(client, payload.torrent, payload.dir, { readOnly: true }, (added) => {
          if (side === 0) return
          // Counted beneath the intervention: what webtorrent's own work would cost.
          const torrent = internals(added)
          const update = torrent._update
          const interest = torrent._updateWireInterest
          torrent._update = function () {
            calls.update++
            update.call(this)
          }
          torrent._updateWireInterest = function (wire) {
            calls.interest++
            interest.call(this, wire)
          }
          coalesceUpdates(added)
        }),
      ),
    )) as [Torrent, Torrent]
    await dial(a, clients[1] as (typeof clients)[number])
    const [wire] = await pollUntil(
      'a connection',
      async () => (liveWires(b).length === 1 ? liveWires(b) : undefined),
      {
        timeoutMs: 15_000,
      },
    )
    await new Promise((resolve) => setImmediate(resolve))
    calls.update = 0
    calls.interest = 0
    // What the protocol parser does for each `have` in a socket read.
    for (let piece = 0; piece < 150; piece++) (wire as unknown as { _onHave(i: number): void })._onHave(piece)
    await new Promise((resolve) => setImmediate(resolve))
    expect(calls).toEqual({ update: 1, interest: 1 })
  }, 40_000)
})
