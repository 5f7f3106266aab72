import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import net from 'node:net'
import { afterEach, describe, expect, onTestFinished, test, vi } from 'vitest'
import { connect, createServer, useSwarmKey } from '../../../seeder/swarm/secure-net.js'

async function listening(): Promise<{ server: net.Server; port: number }> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return { server, port: (server.address() as net.AddressInfo).port }
}

/** A TCP connection that says nothing: neither a TLS handshake nor the BitTorrent one. */
async function silentClient(port: number): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1')
  socket.on('error', () => {})
  onTestFinished(() => {
    socket.destroy()
  })
  await once(socket, 'connect')
  return socket
}

function closed(server: net.Server): { done: boolean } {
  const state = { done: false }
  server.close(() => {
    state.done = true
  })
  return state
}

afterEach(() => useSwarmKey(undefined))

describe.each([
  ['with TLS', randomBytes(32)],
  ['without TLS (--no-encrypt)', undefined],
])('the peer listener %s', (_name, key) => {
  test('closing it ends connections nobody took up, instead of waiting for the far end', async () => {
    useSwarmKey(key)
    const { server, port } = await listening()
    const client = await silentClient(port)
    const state = closed(server)
    // Without ending them, close() waits for the client (for TLS, the 120 s handshake timeout).
    await vi.waitFor(() => expect(state.done).toBe(true), { timeout: 3_000 })
    expect(client.destroyed || client.readableEnded).toBe(true)
  })
})

test('with TLS, only a peer that holds the key is handed on, after its handshake', async () => {
  const key = randomBytes(32)
  useSwarmKey(key)
  const { server, port } = await listening()
  onTestFinished(() => {
    server.close()
  })
  const handedOn: net.Socket[] = []
  server.on('connection', (socket: net.Socket) => handedOn.push(socket))

  useSwarmKey(randomBytes(32))
  const outsider = connect({ host: '127.0.0.1', port })
  // Its handshake fails with an error; events.once would reject on it, so wait for 'close' plainly.
  outsider.on('error', () => {})
  await new Promise((resolve) => outsider.once('close', resolve))
  expect(handedOn).toHaveLength(0)

  useSwarmKey(key)
  const peer = connect({ host: '127.0.0.1', port })
  onTestFinished(() => {
    peer.destroy()
  })
  await once(peer, 'secureConnect')
  await vi.waitFor(() => expect(handedOn).toHaveLength(1))
})
