import { isIP, type Socket } from 'node:net'
import { text } from 'node:stream/consumers'
import type { Client } from 'ssh2'
import { FanoutError } from '../../shared/errors.js'
import { openExecChannel } from './ssh-channel.js'
import { dialTcp, type HopDeps, type HopHooks, openHop } from './ssh-hop.js'
import { type JumpChain, openJumps } from './ssh-jump.js'
import type { SshTarget } from './ssh-target.js'

/** An authenticated connection to a target, made directly or through its jump hosts. */
export interface SshLink {
  /** Closing it (or its dropping) also closes the jump connections in front of it. */
  client: Client
  /** The address the connection arrived on at the target: how other hosts reach it. Undefined
   * only for a TCP socket that closed meanwhile. */
  dataAddress: string | undefined
  /** This machine's address on the route to the target; unknown through a jump host. */
  localAddress: string | undefined
}

/** The hooks of the target's own connection; `beforeDial` may throw to stop before connecting. */
export type LinkHooks = Omit<HopHooks, 'dial'> & { beforeDial: () => void }

/**
 * Connects to `target`, through its jump hosts if it has any (only the SSH connection goes through
 * them). The jump connections end when the target's does, and on every failure.
 */
export async function openLink(target: SshTarget, deps: HopDeps, hooks: LinkHooks): Promise<SshLink> {
  const jumps = target.jumpHosts.length === 0 ? undefined : await openJumps(target, deps, hooks.signal)
  try {
    const { client, sock } = await openHop(target, deps, {
      ...hooks,
      dial: async () => {
        hooks.beforeDial()
        return jumps === undefined ? dialTcp(target) : jumps.forward(target)
      },
      onClient: (client) => {
        if (jumps !== undefined) client.once('close', () => jumps.close())
        hooks.onClient?.(client)
      },
    })
    return await addresses(client, sock as Socket, target, jumps)
  } catch (err) {
    jumps?.close()
    throw err
  }
}

async function addresses(
  client: Client,
  socket: Socket,
  target: SshTarget,
  jumps: JumpChain | undefined,
): Promise<SshLink> {
  if (jumps === undefined) {
    return { client, dataAddress: socket.remoteAddress, localAddress: socket.localAddress }
  }
  try {
    return { client, dataAddress: await arrivalAddress(client, target), localAddress: undefined }
  } catch (err) {
    client.destroy()
    throw err
  }
}

/**
 * Where a connection through jump hosts arrived, as the target's sshd saw it: the third field of
 * SSH_CONNECTION. The target's name may resolve only behind the jump host, so a local lookup
 * could not tell.
 */
async function arrivalAddress(client: Client, target: SshTarget): Promise<string> {
  const channel = await openExecChannel(client, 'printenv SSH_CONNECTION', target.displayName)
  channel.stderr.resume()
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      channel.close()
      reject(unknownAddress(target, 'no answer'))
    }, target.connectTimeoutMs)
  })
  const output = await Promise.race([text(channel), timeout]).finally(() => clearTimeout(timer))
  const address = output.trim().split(/\s+/)[2]
  if (address === undefined || isIP(address) === 0) throw unknownAddress(target, `"${output.trim()}"`)
  return address
}

function unknownAddress(target: SshTarget, got: string): FanoutError {
  const host = target.displayName
  const message = `${host}: cannot tell the address the SSH connection arrived on (SSH_CONNECTION: ${got})`
  return new FanoutError('SSH_CONNECT', message, { host })
}
