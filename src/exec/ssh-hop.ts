import { type Socket, connect as tcpConnect } from 'node:net'
import type { Duplex } from 'node:stream'
import type { Logger } from 'pino'
import ssh2, { type Client, type ConnectConfig } from 'ssh2'
import type { FanoutError } from '../../shared/errors.js'
import { loadAuthMethods } from './ssh-auth.js'
import type { Ssh2Error } from './ssh-errors.js'
import { handshake } from './ssh-handshake.js'
import { checkHostKey, knownKeysFor, loadKnownHosts, preferKnownAlgorithms } from './ssh-host-key.js'
import type { SshTarget } from './ssh-target.js'

/** What every SSH connection needs besides its target. */
export interface HopDeps {
  log: Logger
  /** The agent socket (SSH_AUTH_SOCK), tried after the identity files. */
  agentSocket?: string | undefined
}

/** How one connection is opened and how its failures are reported. */
export interface HopHooks {
  /** Opens the byte stream to the host's sshd: a TCP socket, or a channel a jump host forwards. */
  dial: () => Promise<Duplex>
  /** Every error of the client, also after the handshake; ssh2 may emit several. */
  onError: (err: Ssh2Error) => void
  /** The error a failed handshake rejects with; a refused host key is reported as such instead. */
  mapError: (err: Ssh2Error) => FanoutError
  /** Called with the client before the handshake starts, so a caller can destroy it meanwhile. */
  onClient?: (client: Client) => void
  signal?: AbortSignal | undefined
}

/** A dead link is noticed after about interval × count (15 s) without an answer from sshd. */
const KEEPALIVE_INTERVAL_MS = 5_000
const KEEPALIVE_COUNT_MAX = 3

/**
 * Opens one authenticated SSH connection to `target` over the stream `hooks.dial` gives, checking
 * the host key against the target's own known_hosts files as its `strictHostKeyChecking` says (ssh2
 * would otherwise accept any key). Keys are loaded before dialling, so a host with no usable key
 * costs no connection. On failure the stream is destroyed.
 */
export async function openHop(
  target: SshTarget,
  deps: HopDeps,
  hooks: HopHooks,
): Promise<{ client: Client; sock: Duplex }> {
  const known = await loadKnownHosts(target.knownHostsFiles, deps.log)
  const sources = { ...target, host: target.displayName, agentSocket: deps.agentSocket }
  const authHandler = await loadAuthMethods(sources, deps.log)
  const sock = await hooks.dial()
  const client = new ssh2.Client()
  // A persistent listener: EventEmitter throws on an 'error' that nobody listens for.
  client.on('error', hooks.onError)
  hooks.onClient?.(client)
  let hostKeyError: FanoutError | undefined
  const config: ConnectConfig = {
    sock,
    username: target.user,
    authHandler,
    readyTimeout: target.connectTimeoutMs,
    keepaliveInterval: KEEPALIVE_INTERVAL_MS,
    keepaliveCountMax: KEEPALIVE_COUNT_MAX,
    algorithms: { serverHostKey: preferKnownAlgorithms(knownKeysFor(known, target)) },
    hostVerifier: (key: Buffer): boolean => {
      hostKeyError = checkHostKey(target, known, key)
      return hostKeyError === undefined
    },
  }
  const mapError = (err: Ssh2Error): FanoutError => hostKeyError ?? hooks.mapError(err)
  await handshake(target.displayName, client, sock, config, hooks.signal, mapError)
  return { client, sock }
}

/** A TCP connection to the target's sshd; ours rather than ssh2's, so its addresses are readable. */
export function dialTcp(target: SshTarget): Socket {
  return tcpConnect({ host: target.hostName, port: target.port })
}
