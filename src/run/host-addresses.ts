import { FanoutError } from '../../shared/errors.js'
import type { FirewallPlan } from '../../shared/messages.js'
import type { TransferPlan } from '../core/plan.js'
import type { HostPool } from './host-pool.js'

interface AddressDeps {
  pool: HostPool
  signal: AbortSignal
}

/**
 * Who may reach the transfer's ports: every endpoint's data address. null when every endpoint is on
 * this machine (loopback needs no hole, and a local run must not touch this machine's ruleset).
 */
export async function firewallPlan(plan: TransferPlan, deps: AddressDeps): Promise<FirewallPlan | null> {
  const endpoints = [plan.source, ...plan.targets]
  if (endpoints.every((e) => e.host === null)) return null
  const addresses = await Promise.all(
    endpoints.map(async (e) =>
      e.host === null ? localDataAddress(plan, deps) : (await deps.pool.get(e, deps.signal)).dataAddress,
    ),
  )
  return { participants: [...new Set(addresses)] }
}

/**
 * This machine's address as the other hosts see it (the local end of an SSH connection to one of
 * them): where a local source serves, and what their firewalls must let in from a local endpoint.
 * 127.0.0.1 only when every endpoint is local. A connection through a jump host does not show it.
 *
 * @throws FanoutError('USAGE') when every remote host is reached through a jump host.
 */
export async function localDataAddress(plan: TransferPlan, deps: AddressDeps): Promise<string> {
  const remotes = [plan.source, ...plan.targets].filter((e) => e.host !== null)
  if (remotes.length === 0) return '127.0.0.1'
  for (const remote of remotes) {
    const { localAddress } = await deps.pool.get(remote, deps.signal)
    if (localAddress !== undefined) return localAddress
  }
  const message =
    'a local source or target needs a remote host reached without ProxyJump: only such a connection shows the address the hosts reach this machine on'
  throw new FanoutError('USAGE', message)
}
