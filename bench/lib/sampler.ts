import type { Cluster } from '../../test/helpers/cluster.js'
import { type Counters, readCounters, readRetransmittedSegments, residentPids } from './net-counters.js'

/** A host's eth0 counters; TCP retransmissions only in the first and last sample, the ones compared. */
export type HostCounters = Counters & { retransmittedSegments?: number }

/** Every host's counters at one moment, `t` seconds after the sampler started. */
export interface Sample {
  t: number
  hosts: Map<string, HostCounters>
}

/** Reads every host's link counters every `intervalMs` until stopped; bounded by `maxMs`. */
export interface Sampler {
  stop(): Promise<Sample[]>
}

const DEVICE = 'eth0'

/**
 * Samples the hosts' link counters in the background, from /proc (no process per sample), so the
 * report can show how each target's copy progressed over time and who uploaded how much.
 */
export async function startSampler(
  cluster: Cluster,
  hosts: readonly string[],
  intervalMs = 250,
  maxMs = 3_600_000,
): Promise<Sampler> {
  const pids = await residentPids(cluster, hosts)
  const samples: Sample[] = []
  const started = performance.now()
  const take = async (withRetransmits = false) => {
    const entries = await Promise.all(
      [...pids].map(async ([name, pid]): Promise<[string, HostCounters]> => {
        const counters = await readCounters(pid, DEVICE)
        if (!withRetransmits) return [name, counters]
        return [name, { ...counters, retransmittedSegments: await readRetransmittedSegments(pid) }]
      }),
    )
    samples.push({ t: (performance.now() - started) / 1000, hosts: new Map(entries) })
  }
  await take(true)
  let running = Promise.resolve()
  const timer = setInterval(() => {
    if (performance.now() - started > maxMs) clearInterval(timer)
    running = running.then(() => take()).catch(() => undefined)
  }, intervalMs)
  return {
    async stop() {
      clearInterval(timer)
      await running
      await take(true)
      return samples
    },
  }
}
