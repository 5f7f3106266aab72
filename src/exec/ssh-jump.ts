import type { Duplex } from 'node:stream'
import type { Client } from 'ssh2'
import { FanoutError } from '../../shared/errors.js'
import { mapSshError } from './ssh-errors.js'
import { dialTcp, type HopDeps, openHop } from './ssh-hop.js'
import type { SshTarget } from './ssh-target.js'

/** A target's jump hosts, connected in a chain. */
export interface JumpChain {
  /** Opens a channel from the last jump host to `next`'s sshd, within `next.connectTimeoutMs`. */
  forward(next: SshTarget): Promise<Duplex>
  /** Ends every jump connection. Safe to call again. */
  close(): void
}

/** ssh2's reason for a refused channel open, RFC 4254's SSH_OPEN_ADMINISTRATIVELY_PROHIBITED. */
const ADMINISTRATIVELY_PROHIBITED = 1
/** A jump host that does not answer our disconnect must not keep its connection open. */
const END_GRACE_MS = 2_000

/**
 * Connects `target.jumpHosts` one after the other, each through a channel forwarded by the one
 * before, each with its own host key check, keys and connect timeout. If one fails, those already
 * open are closed and the error names the hop ("cannot reach jump host bastion1 (...)").
 */
export async function openJumps(
  target: SshTarget,
  deps: HopDeps,
  signal: AbortSignal | undefined,
): Promise<JumpChain> {
  const clients: Client[] = []
  const chain: JumpChain = {
    forward: (next) => {
      const last = clients.at(-1)
      const via = target.jumpHosts[clients.length - 1]
      if (last === undefined || via === undefined) throw new Error('forward() before a jump host is open')
      return forward(last, via, next)
    },
    close: () => endAll(clients.splice(0).reverse()),
  }
  for (const hop of target.jumpHosts) {
    try {
      const first = clients.length === 0
      const { client } = await openHop(hop, deps, {
        dial: async () => (first ? dialTcp(hop) : chain.forward(hop)),
        onError: (err) => deps.log.debug({ err, jumpHost: hop.displayName }, 'jump host connection error'),
        mapError: (err) => mapSshError(err, hop.displayName, hop.user),
        signal,
      })
      clients.push(client)
    } catch (err) {
      chain.close()
      throw unreachableJump(target, hop, err)
    }
  }
  return chain
}

function endAll(clients: readonly Client[]): void {
  for (const client of clients) {
    client.end()
    setTimeout(() => client.destroy(), END_GRACE_MS).unref()
  }
}

/** A direct-tcpip channel from `via` to `next`, or the FanoutError that names why not. */
function forward(client: Client, via: SshTarget, next: SshTarget): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      reject(forwardError(via, next, undefined))
    }, next.connectTimeoutMs)
    const done = (err: ChannelOpenError | undefined, channel: Duplex | undefined): void => {
      clearTimeout(timer)
      if (timedOut) channel?.destroy()
      else if (channel !== undefined && err === undefined) resolve(halfCloseEnds(channel))
      else reject(forwardError(via, next, err ?? new Error('no channel')))
    }
    try {
      client.forwardOut('127.0.0.1', 0, next.hostName, next.port, (err, channel) => done(err, channel))
    } catch (err) {
      done(err as Error, undefined)
    }
  })
}

/**
 * Closes the channel once the far end's sshd has closed its side. The channel is half-open by
 * default, and the jump host's sshd keeps it open until we end ours; the ssh2 client that reads from
 * it would never see 'close' and would hang its owner's close().
 */
function halfCloseEnds(channel: Duplex): Duplex {
  return channel.once('end', () => channel.destroy())
}

/** ssh2's error for a refused channel open carries RFC 4254's reason code. */
type ChannelOpenError = Error & { reason?: unknown }

/** Why `via` gave no channel to `next`; `err` undefined means no answer in time. */
function forwardError(via: SshTarget, next: SshTarget, err: ChannelOpenError | undefined): FanoutError {
  const where = `${next.hostName}:${next.port}`
  const context = { host: next.displayName, jumpHost: via.displayName }
  const prefix = `${next.displayName}: jump host ${via.displayName}`
  if (err === undefined) {
    const message = `${prefix} got no connection to ${where} within ${next.connectTimeoutMs / 1000} s`
    return new FanoutError('SSH_TIMEOUT', message, context)
  }
  const reason = err.message.replace(/^\(SSH\) Channel open failure: /, '')
  const message =
    err.reason === ADMINISTRATIVELY_PROHIBITED
      ? `${prefix} refused to forward to ${where} (${reason}); does its sshd allow it (AllowTcpForwarding, PermitOpen)?`
      : `${prefix} cannot connect to ${where} (${reason})`
  return new FanoutError('SSH_CONNECT', message, context, { cause: err })
}

/** The error for a jump host that could not be reached: the hop's own error, said of the target. */
function unreachableJump(target: SshTarget, hop: SshTarget, err: unknown): unknown {
  if (!(err instanceof FanoutError) || err.code === 'ABORTED') return err
  const prefix = `${hop.displayName}: `
  const reason = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message
  const message = `${target.displayName}: cannot reach jump host ${hop.displayName} (${reason})`
  const context = { ...err.context, host: target.displayName, jumpHost: hop.displayName }
  return new FanoutError(err.code, message, context, { cause: err })
}
