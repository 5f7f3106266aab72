import { readdir, readFile, rm } from 'node:fs/promises'
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
  const agents = await removeOrphanAgentDirs()
  if (agents.length > 0) console.warn(`removed orphaned agent directories ${when}: ${agents.join(', ')}`)
}

/**
 * Cluster hosts share this machine's /tmp. An agent killed with its namespace (a crashed earlier run)
 * cannot remove its shipped directory, and the leftover would fail every later cleanliness check.
 * Only directories no running process refers to are removed.
 */
async function removeOrphanAgentDirs(): Promise<string[]> {
  const dirs = (await readdir('/tmp')).filter((name) => /^fanout-agent\.[A-Za-z0-9]{8}$/.test(name))
  if (dirs.length === 0) return []
  const cmdlines: string[] = []
  for (const pid of (await readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
    cmdlines.push(await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => ''))
  }
  const orphans = dirs.filter((dir) => !cmdlines.some((cmdline) => cmdline.includes(dir)))
  await Promise.all(orphans.map((dir) => rm(`/tmp/${dir}`, { recursive: true, force: true })))
  return orphans
}
