import type { Logger } from 'pino'
import type { Client, ClientChannel } from 'ssh2'
import { FanoutError } from '../../shared/errors.js'
import { ChannelSlots } from './channel-slots.js'
import type { ChildHandle, Executor, RunOptions, RunResult } from './executor.js'
import { quoteArgv } from './quote.js'
import { openExecChannel, runCommand, type SshConnection } from './ssh-channel.js'
import { closedByUs, connectionLost, mapSshError, type Ssh2Error } from './ssh-errors.js'
import { openLink, type SshLink } from './ssh-link.js'
import { spawnCommand } from './ssh-spawn.js'
import type { SshTarget } from './ssh-target.js'

/** What SshExecutor needs besides the target. */
export interface SshExecutorDeps {
  log: Logger
  /** The agent socket (SSH_AUTH_SOCK), tried after the identity files; config passes it in. */
  agentSocket?: string | undefined
}

/** OpenSSH's default MaxSessions; more concurrent commands wait for a free channel. */
const MAX_CHANNELS = 10

/**
 * Runs commands on one host over a single SSH connection, one exec channel (no pty) per command,
 * through the host's jump hosts if its config names any. Host keys are always checked against
 * known_hosts according to `strictHostKeyChecking`, at every hop; ssh2 would otherwise accept any
 * key. `connect()` may be called again after a failure or a drop; after `close()` the executor is
 * done.
 * If the connection drops, running `run()` calls reject and spawned handles' `exited` resolve with
 * `exitCode: null`.
 */
export class SshExecutor implements Executor {
  readonly host: string
  readonly #target: SshTarget
  readonly #deps: SshExecutorDeps
  readonly #log: Logger
  readonly #watchers = new Set<(err: FanoutError) => void>()
  readonly #slots = new ChannelSlots(MAX_CHANNELS)
  #client: Client | undefined
  #connecting: Promise<void> | undefined
  #dataAddress: string | undefined
  #localAddress: string | undefined
  #connected = false
  #closing = false
  #lastError: FanoutError | undefined
  #closed: Promise<void> | undefined

  constructor(target: SshTarget, deps: SshExecutorDeps) {
    this.host = target.displayName
    this.#target = target
    this.#deps = deps
    this.#log = deps.log.child({ host: target.displayName })
  }

  /** The remote address the TCP connection reached. Throws before `connect()` has succeeded. */
  /** This machine's address on the route to the host: how the host reaches us. */
  get localAddress(): string | undefined {
    return this.#localAddress
  }

  get dataAddress(): string {
    if (this.#dataAddress === undefined) throw new Error(`${this.host}: dataAddress read before connect()`)
    return this.#dataAddress
  }

  /** Connects and authenticates; concurrent calls share one attempt. */
  connect(signal?: AbortSignal): Promise<void> {
    if (this.#closing) return Promise.reject(this.#notConnected())
    this.#connecting ??= this.#open(signal).catch((err: unknown) => {
      // Kept so a later run() explains why there is no connection, rather than just saying so.
      if (err instanceof FanoutError) this.#lastError = err
      this.#connecting = undefined
      throw err
    })
    return this.#connecting
  }

  run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    const command = quoteArgv(argv)
    if (!this.#connected) return Promise.reject(this.#notConnected())
    return runCommand(this.#connection(), command, opts)
  }

  /** @throws FanoutError('SSH_CONNECT') when not connected; later failures settle `exited` instead. */
  spawn(argv: readonly string[]): ChildHandle {
    const command = quoteArgv(argv)
    if (!this.#connected) throw this.#notConnected()
    return spawnCommand(this.#connection(), command)
  }

  /** Ends the connection; commands still running reject with ABORTED. Safe to call repeatedly. */
  close(): Promise<void> {
    this.#closing = true
    const client = this.#client
    if (client === undefined || !this.#connected) {
      client?.destroy()
      return Promise.resolve()
    }
    this.#closed ??= new Promise<void>((resolve) => {
      client.once('close', () => resolve())
      client.end()
      // A peer that never answers our disconnect must not hold close() up.
      setTimeout(() => client.destroy(), 2_000).unref()
    })
    return this.#closed
  }

  async #open(signal: AbortSignal | undefined): Promise<void> {
    const deps = { log: this.#log, agentSocket: this.#deps.agentSocket }
    const link = await openLink(this.#target, deps, {
      onError: (err) => this.#onError(err),
      mapError: (err) => this.#mapError(err),
      onClient: (client) => {
        this.#client = client
      },
      beforeDial: () => {
        if (this.#closing) throw this.#mapError(new Error('closed while connecting'))
      },
      signal,
    })
    this.#onReady(link)
  }

  #onReady({ client, dataAddress, localAddress }: SshLink): void {
    this.#dataAddress = dataAddress
    this.#localAddress = localAddress
    if (this.#dataAddress === undefined || this.#closing) {
      client.destroy()
      throw this.#notConnected()
    }
    this.#connected = true
    client.on('close', () => this.#onClose())
    this.#log.debug({ dataAddress: this.#dataAddress }, 'ssh connected')
  }

  #onError(err: Ssh2Error): void {
    this.#lastError = this.#mapError(err)
    this.#log.debug({ err }, 'ssh connection error')
  }

  #onClose(): void {
    this.#connected = false
    this.#connecting = undefined // So connect() after a drop opens a new connection.
    const error = this.#closing ? closedByUs(this.host) : connectionLost(this.host, this.#lastError)
    if (!this.#closing) this.#log.warn({ err: error }, 'ssh connection lost')
    for (const watcher of [...this.#watchers]) watcher(error)
    this.#watchers.clear()
  }

  #mapError(err: Ssh2Error): FanoutError {
    return this.#closing ? closedByUs(this.host) : mapSshError(err, this.host, this.#target.user)
  }

  #notConnected(): FanoutError {
    return (
      this.#lastError ?? new FanoutError('SSH_CONNECT', `${this.host}: not connected`, { host: this.host })
    )
  }

  #connection(): SshConnection {
    return {
      host: this.host,
      log: this.#log,
      exec: (command) => this.#exec(command),
      watch: (onLost) => {
        this.#watchers.add(onLost)
        return () => this.#watchers.delete(onLost)
      },
    }
  }

  /** Opens an exec channel once a slot is free; the slot is released when the channel closes. */
  async #exec(command: string): Promise<ClientChannel> {
    const release = await this.#slots.acquire()
    try {
      const channel = await openExecChannel(this.#client, command, this.host)
      channel.once('close', release)
      return channel
    } catch (err) {
      release()
      throw err
    }
  }
}
