import { once } from 'node:events'
import net from 'node:net'
import tls from 'node:tls'
import { FanoutError } from '../../shared/errors.js'
import { pskClientOptions, pskServerOptions } from '../swarm/secure-net.js'

/** The listening end of one stream: bound first, so the source connects only to a port that is there. */
export interface StreamListener {
  port: number
  /** The source's connection, once it is accepted (and its TLS handshake done). */
  accepted: Promise<net.Socket>
  close(): void
}

/**
 * Listens for the one connection of a stream, from `peer` only; with a key, TLS 1.2 with that
 * pre-shared key and ephemeral Diffie-Hellman (as the swarm, secure-net.ts), so a host without the
 * key fails its handshake. The listener closes as soon as the source is in: nobody else gets in
 * later. A port another process holds fails with PORT_IN_USE before anything is written.
 */
export async function listenForSource(opts: {
  address: string
  port: number
  peer: string
  key: Buffer | null
}): Promise<StreamListener> {
  const { key, peer } = opts
  const server = key === null ? net.createServer() : tls.createServer(pskServerOptions(key))
  const ready = key === null ? 'connection' : 'secureConnection'
  const accepted = new Promise<net.Socket>((resolve) => {
    server.on(ready, (socket: net.Socket) => {
      // A stranger (no firewall, or a host of the same transfer) is turned away, not the stream.
      if (!samePeer(socket.remoteAddress, peer)) {
        socket.destroy()
        return
      }
      server.close()
      resolve(socket)
    })
  })
  server.on('tlsClientError', (_err: Error, socket: net.Socket) => socket.destroy())
  server.listen({ host: opts.address, port: opts.port, exclusive: true })
  try {
    await Promise.race([
      once(server, 'listening'),
      once(server, 'error').then(([err]) => Promise.reject(err)),
    ])
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new FanoutError('PORT_IN_USE', `port ${opts.port} is already in use on ${opts.address}`)
    }
    throw err
  }
  const { port } = server.address() as net.AddressInfo
  return { port, accepted, close: () => server.close() }
}

/** Connects to a target's listener; with a key, completes the TLS handshake before resolving. */
export async function connectToTarget(opts: {
  address: string
  port: number
  key: Buffer | null
}): Promise<net.Socket> {
  const { address: host, port, key } = opts
  const socket =
    key === null ? net.connect({ host, port }) : tls.connect({ host, port, ...pskClientOptions(key) })
  await Promise.race([
    once(socket, key === null ? 'connect' : 'secureConnect'),
    once(socket, 'error').then(([err]) => Promise.reject(err)),
  ])
  socket.setNoDelay(false)
  return socket
}

/** IPv4 addresses may arrive mapped into IPv6 (::ffff:10.0.0.1). */
function samePeer(remote: string | undefined, expected: string): boolean {
  if (remote === undefined) return false
  return remote === expected || remote === `::ffff:${expected}`
}
