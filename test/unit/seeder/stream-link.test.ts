import { randomBytes } from 'node:crypto'
import net from 'node:net'
import { buffer } from 'node:stream/consumers'
import { describe, expect, test } from 'vitest'
import { connectToTarget, listenForSource } from '../../../seeder/stream/stream-link.js'
import { FanoutError } from '../../../shared/errors.js'

describe('stream link', () => {
  test('with the key, the bytes arrive over TLS and the listener takes no second connection', async () => {
    const key = randomBytes(32)
    const listener = await listenForSource({ address: '127.0.0.1', port: 0, peer: '127.0.0.1', key })
    const client = await connectToTarget({ address: '127.0.0.1', port: listener.port, key })
    const socket = await listener.accepted
    client.end(Buffer.from('payload'))
    expect((await buffer(socket)).toString()).toBe('payload')
    await expect(connectToTarget({ address: '127.0.0.1', port: listener.port, key })).rejects.toThrow(
      /ECONNREFUSED/,
    )
  })

  test('a client with another key gets no connection', async () => {
    const listener = await listenForSource({
      address: '127.0.0.1',
      port: 0,
      peer: '127.0.0.1',
      key: randomBytes(32),
    })
    try {
      await expect(
        connectToTarget({ address: '127.0.0.1', port: listener.port, key: randomBytes(32) }),
      ).rejects.toThrow()
    } finally {
      listener.close()
    }
  })

  test('a connection from another address than the source is turned away', async () => {
    const listener = await listenForSource({ address: '127.0.0.1', port: 0, peer: '10.255.255.1', key: null })
    try {
      const stranger = await connectToTarget({ address: '127.0.0.1', port: listener.port, key: null })
      await new Promise((resolve) => stranger.once('close', resolve))
      let accepted = false
      void listener.accepted.then(() => {
        accepted = true
      })
      await Promise.resolve()
      expect(accepted).toBe(false)
    } finally {
      listener.close()
    }
  })

  test('a port in use fails with PORT_IN_USE', async () => {
    const holder = net.createServer().listen(0, '127.0.0.1')
    await new Promise((resolve) => holder.once('listening', resolve))
    const { port } = holder.address() as net.AddressInfo
    try {
      const failure = await listenForSource({
        address: '127.0.0.1',
        port,
        peer: '127.0.0.1',
        key: null,
      }).catch((err: unknown) => err)
      expect(failure).toBeInstanceOf(FanoutError)
      expect((failure as FanoutError).code).toBe('PORT_IN_USE')
      expect((failure as FanoutError).message).toBe(`port ${port} is already in use on 127.0.0.1`)
    } finally {
      holder.close()
    }
  })
})
