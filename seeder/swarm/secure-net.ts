import { EventEmitter } from 'node:events'
import net from 'node:net'
import tls from 'node:tls'

/**
 * webtorrent's `net`, swapped in by the bundler (interventions.ts) for webtorrent's own imports.
 * With a key set, every peer connection is TLS 1.2 with a pre-shared key (the transfer's key, handed
 * to each agent over its SSH channel and never stored) and an ephemeral Diffie-Hellman exchange, so
 * the session keys are forward-secret and a host without the key gets a failed handshake and no byte
 * of the payload. Without a key (`--no-encrypt`) it is plain `net`.
 */
let psk: Buffer | undefined

const IDENTITY = 'fanout'
// AES-GCM first: with AES-NI it costs a fraction of ChaCha20's CPU; both are AEAD with (EC)DHE.
const CIPHERS = 'DHE-PSK-AES128-GCM-SHA256:ECDHE-PSK-CHACHA20-POLY1305'

export function useSwarmKey(key: Buffer | undefined): void {
  psk = key
}

function tlsOptions() {
  // No certificate authority is trusted, since no certificate is used: without `ca`, the first TLS
  // context parses Node's ~140 bundled root certificates, 30 ms at every agent's start.
  return { ciphers: CIPHERS, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ca: [] as string[] } as const
}

/** TLS-PSK client options for `key`: the swarm's peers and the stream's source use the same. */
export function pskClientOptions(key: Buffer): tls.ConnectionOptions {
  return {
    ...tlsOptions(),
    pskCallback: () => ({ psk: key, identity: IDENTITY }),
    // PSK authenticates both ends; there is no certificate to check.
    checkServerIdentity: () => undefined,
  }
}

export function pskServerOptions(key: Buffer): tls.TlsOptions {
  return {
    ...tlsOptions(),
    dhparam: 'auto',
    pskCallback: (_socket, identity) => (identity === IDENTITY ? key : null),
  }
}

export function connect(opts: { host: string; port: number }): net.Socket {
  const key = psk
  if (key === undefined) return net.connect(opts)
  return tls.connect({ ...opts, ...pskClientOptions(key) })
}

export function createServer(): net.Server {
  const key = psk
  if (key === undefined) return new ClosingServer(net.createServer(), 'connection') as unknown as net.Server
  const server = tls.createServer(pskServerOptions(key))
  server.on('tlsClientError', (_err, socket) => socket.destroy())
  return new ClosingServer(server, 'secureConnection') as unknown as net.Server
}

/**
 * The listener webtorrent sees. It emits 'connection' only for sockets ready to carry the protocol:
 * a tls.Server emits 'connection' for the raw TCP socket before the handshake, which webtorrent
 * would read as ciphertext, so with TLS only sockets whose handshake succeeded are passed on.
 *
 * Closing it also ends every connection it accepted. webtorrent stops listening for connections
 * before it closes the server, while peers still seeding re-dial an agent that is leaving; such a
 * connection, or one still in its TLS handshake, was never closed, and close() waited for the far
 * end to give up, up to the agent's teardown deadline of 10 s after every target had its copy.
 */
class ClosingServer extends EventEmitter {
  private readonly accepted = new Set<net.Socket>()

  constructor(
    private readonly server: net.Server,
    ready: 'connection' | 'secureConnection',
  ) {
    super()
    server.on('connection', (socket: net.Socket) => {
      this.accepted.add(socket)
      socket.once('close', () => this.accepted.delete(socket))
    })
    server.on(ready, (socket: net.Socket) => this.emit('connection', socket))
    server.on('listening', () => this.emit('listening'))
    server.on('error', (err) => this.emit('error', err))
    server.on('close', () => this.emit('close'))
  }

  listen(...args: unknown[]): this {
    ;(this.server.listen as (...a: unknown[]) => void)(...args)
    return this
  }

  address() {
    return this.server.address()
  }

  close(cb?: (err?: Error) => void): this {
    this.server.close(cb)
    for (const socket of this.accepted) socket.destroy()
    return this
  }

  get listening(): boolean {
    return this.server.listening
  }
}

export default { connect, createServer }
