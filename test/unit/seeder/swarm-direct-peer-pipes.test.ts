import { EventEmitter, once } from 'node:events'
import net from 'node:net'
import Wire from 'bittorrent-protocol'
import { expect, onTestFinished, test, vi } from 'vitest'
import { pipeDirectly } from '../../../seeder/swarm/direct-peer-pipes.js'
import { createSwarmClient, destroyClient } from '../../../seeder/swarm/swarm-client.js'
import type { PeerPipesInternals, WirePipesInternals } from '../../../seeder/swarm/webtorrent-internals.js'
import { makePeerId } from '../../../shared/peer-id.js'
import { addAsAgent, dial, liveWires, smallPayload } from '../../helpers/peer-pair.js'
import { pollUntil } from '../../helpers/poll-until.js'

const INFO_HASH = 'ab'.repeat(20)
const PEER_ID = 'cd'.repeat(20)

/** A connected pair of real TCP sockets on loopback. */
async function socketPair(): Promise<[net.Socket, net.Socket]> {
  const server = net.createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as net.AddressInfo
  const accepted = once(server, 'connection') as Promise<[net.Socket]>
  const dialled = net.connect(port, '127.0.0.1')
  const [[incoming]] = await Promise.all([accepted, once(dialled, 'connect')])
  server.close()
  onTestFinished(() => {
    dialled.destroy()
    incoming.destroy()
  })
  return [dialled, incoming]
}

/** webtorrent's Peer as pipeDirectly sees it: a real socket and a real bittorrent-protocol wire. */
function peerOver(conn: net.Socket) {
  const peer = Object.assign(new EventEmitter(), {
    conn,
    wire: new Wire() as unknown as WirePipesInternals,
    destroyed: false,
    bytes: { download: 0, upload: 0 },
  })
  peer.on('download', (n: number) => {
    peer.bytes.download += n
  })
  peer.on('upload', (n: number) => {
    peer.bytes.upload += n
  })
  pipeDirectly(peer as unknown as PeerPipesInternals)
  return peer
}

test('messages cross the socket both ways and both peers count the bytes', async () => {
  const [a, b] = (await socketPair()).map(peerOver)
  if (a === undefined || b === undefined) throw new Error('no pair')
  const wireA = a.wire as unknown as Wire
  const wireB = b.wire as unknown as Wire
  const handshakeAtB = once(wireB, 'handshake')
  wireA.handshake(INFO_HASH, PEER_ID)
  const [infoHash, peerId] = await handshakeAtB
  expect([infoHash, peerId]).toEqual([INFO_HASH, PEER_ID])

  const haveAtA = once(wireA, 'have')
  wireB.handshake(INFO_HASH, PEER_ID)
  wireB.have(7)
  expect(await haveAtA).toEqual([7])
  // What one end counts as sent the other counts as received (once in flight bytes have landed):
  // 68-byte handshakes, each wire's extension handshake, and b's 9-byte have.
  await vi.waitFor(() => {
    expect(a.bytes.upload).toBe(b.bytes.download)
    expect(b.bytes.upload).toBe(a.bytes.download)
  })
  expect(b.bytes.upload - a.bytes.upload).toBe(9)
  expect(a.bytes.upload).toBeGreaterThanOrEqual(68)
})

test('destroying a wire closes it (webtorrent and the scheduler wait for that) and ends the socket', async () => {
  const [a, b] = (await socketPair()).map(peerOver)
  if (a === undefined || b === undefined) throw new Error('no pair')
  const wireA = a.wire as unknown as Wire
  const closed = once(wireA, 'close')
  const otherEndSeesEnd = once(b.conn, 'end')
  wireA.destroy()
  await closed
  expect(wireA.destroyed).toBe(true)
  await otherEndSeesEnd
})

test("a requested block is copied into its piece's buffer; the wire's callback gets a view of it", async () => {
  const [a, b] = (await socketPair()).map(peerOver)
  if (a === undefined || b === undefined) throw new Error('no pair')
  const piece = { length: 4096, _flushed: false }
  // The torrent as pipeDirectly's router sees it: piece 0 is being fetched.
  Object.assign(a, { swarm: { pieces: [piece], on: () => {} } })
  const wireA = a.wire as unknown as Wire
  const wireB = b.wire as unknown as Wire
  const handshakes = Promise.all([once(wireA, 'handshake'), once(wireB, 'handshake')])
  wireA.handshake(INFO_HASH, PEER_ID)
  wireB.handshake(INFO_HASH, PEER_ID)
  await handshakes
  const block = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256))
  wireB.on(
    'request',
    (index: number, offset: number, length: number, respond: (e: null, b: Buffer) => void) => {
      expect([index, offset, length]).toEqual([0, 2048, 1000])
      respond(null, block)
    },
  )
  wireB.unchoke()
  await once(wireA, 'unchoke')
  const got = await new Promise<Uint8Array>((resolve, reject) =>
    wireA.request(0, 2048, 1000, (err: Error | null, buf: Uint8Array) => (err ? reject(err) : resolve(buf))),
  )
  expect(Buffer.from(got).equals(block)).toBe(true)
  expect(got.byteOffset).toBe(2048)
  expect(got.buffer.byteLength).toBe(piece.length)
})

test.each([
  ['without a limit: directly', null, true],
  ['with --bwlimit: through webtorrent’s throttles', 50 * 2 ** 20, false],
])(
  'a swarm client pipes its peers directly, unless a bandwidth limit is on (%s)',
  async (_how, bwlimit, direct) => {
    const payload = await smallPayload()
    const clients = [0, 1].map(() => {
      const client = createSwarmClient(undefined, bwlimit, makePeerId({ role: 'target', site: 0, rank: 0 }))
      onTestFinished(() => destroyClient(client))
      return client
    })
    const [a, b] = await Promise.all(
      clients.map((client) => addAsAgent(client, payload.torrent, payload.dir, { readOnly: true })),
    )
    if (a === undefined || b === undefined || clients[1] === undefined) throw new Error('no pair')
    await dial(a, clients[1])
    const wires = await pollUntil(
      'a connection each way',
      async () => ([a, b].every((t) => liveWires(t).length === 1) ? [a, b].flatMap(liveWires) : undefined),
      { timeoutMs: 4_000 },
    )
    // A directly piped wire writes straight to its socket: its own push() stands in for streamx's.
    for (const wire of wires) expect(Object.hasOwn(wire, 'push')).toBe(direct)
  },
)
