import { clusterUnavailableReason } from './cluster-unavailable-reason.js'
import { destroyStaleClusters } from './destroy-stale-clusters.js'

/**
 * Vitest global setup: removes clusters that a crashed earlier run left behind before tests build
 * new ones, and again at the end for any a failed test did not destroy. Without the privileges to
 * build clusters there can be none to remove, and the cluster tests skip themselves.
 */
export async function setup(): Promise<void> {
  await removeStale('before the run')
}

export async function teardown(): Promise<void> {
  await removeStale('after the run')
}

async function removeStale(when: string): Promise<void> {
  if (clusterUnavailableReason() !== undefined) return
  const removed = await destroyStaleClusters()
  if (removed.length > 0) console.warn(`removed leftover test clusters ${when}: ${removed.join(', ')}`)
}
