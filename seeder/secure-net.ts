import { EventEmitter } from 'node:events'
import net from 'node:net'
import tls from 'node:tls'

/**
 * webtorrent's `net`, swapped in by the bundler (scripts/build.mjs) for webtorrent's own imports.
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
  return { ciphers: CIPHERS, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' } as const
}

export function connect(opts: { host: string; port: number }): net.Socket {
  const key = psk
  if (key === undefined) return net.connect(opts)
  return tls.connect({
    ...opts,
    ...tlsOptions(),
    pskCallback: () => ({ psk: key, identity: IDENTITY }),
    // PSK authenticates both ends; there is no certificate to check.
    checkServerIdentity: () => undefined,
  })
}

export function createServer(): net.Server {
  const key = psk
  if (key === undefined) return net.createServer()
  const server = tls.createServer({
    ...tlsOptions(),
    dhparam: 'auto',
    pskCallback: (_socket, identity) => (identity === IDENTITY ? key : null),
  })
  return new HandshakenServer(server) as unknown as net.Server
}

/**
 * A tls.Server emits 'connection' for the raw TCP socket before the handshake; webtorrent listens for
 * 'connection' and would read ciphertext. This facade emits 'connection' only for sockets whose
 * handshake succeeded, and drops the rest.
 */
class HandshakenServer extends EventEmitter {
  constructor(private readonly server: tls.Server) {
    super()
    server.on('secureConnection', (socket) => this.emit('connection', socket))
    server.on('tlsClientError', (_err, socket) => socket.destroy())
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
    return this
  }

  get listening(): boolean {
    return this.server.listening
  }
}

export default { connect, createServer }
