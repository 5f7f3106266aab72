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
 * 127.0.0.1 only when every endpoint is local.
 */
export async function localDataAddress(plan: TransferPlan, deps: AddressDeps): Promise<string> {
  const remote = [plan.source, ...plan.targets].find((e) => e.host !== null)
  if (remote === undefined) return '127.0.0.1'
  const exec = await deps.pool.get(remote, deps.signal)
  return exec.localAddress ?? '127.0.0.1'
}
