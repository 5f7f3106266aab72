import { readFile } from 'node:fs/promises'
import type { Cluster } from '../../test/helpers/cluster.js'
import { residentPids } from './net-counters.js'

/**
 * One host's established TCP connections at one moment, counted by their service port: the local
 * port where this host accepted the connection (a port it listens on), the remote one where it
 * dialled. Which ports are peer wires is known only after the run (the tracker's port is in its
 * log), so the sampler keeps them apart and {@link peerConnectionStats} filters.
 */
export type PortCounts = Map<number, number>

/** Every sample of every host, in order. */
export type ConnectionSamples = Map<string, PortCounts[]>

export interface ConnectionSampler {
  stop(): Promise<ConnectionSamples>
}

const ESTABLISHED = '01'
const LISTEN = '0A'

/**
 * Counts each host's established connections every `intervalMs` from /proc/<pid>/net/tcp and tcp6
 * of a process resident in its namespace: no process per sample, so 65 hosts cost the bed nothing
 * it would notice. Bounded by `maxMs`.
 */
export async function startConnectionSampler(
  cluster: Cluster,
  hosts: readonly string[],
  intervalMs = 1_000,
  maxMs = 3_600_000,
): Promise<ConnectionSampler> {
  const pids = [...(await residentPids(cluster, hosts))]
  const samples: ConnectionSamples = new Map(hosts.map((h) => [h, []]))
  let stopped = false
  const take = async () => {
    const counts = await Promise.all(pids.map(async ([, pid]) => portCounts(pid)))
    if (stopped) return
    for (const [i, [name]] of pids.entries()) samples.get(name)?.push(counts[i] ?? new Map())
  }
  const started = performance.now()
  // A tick that finds the last sample still being read is skipped: on a busy machine queued reads
  // would run after the run and record it as over.
  let running: Promise<void> | undefined
  const timer = setInterval(() => {
    if (performance.now() - started > maxMs) clearInterval(timer)
    running ??= take()
      .catch(() => undefined)
      .finally(() => {
        running = undefined
      })
  }, intervalMs)
  return {
    async stop() {
      clearInterval(timer)
      stopped = true
      await running
      return samples
    },
  }
}

async function portCounts(pid: number): Promise<PortCounts> {
  const rows = (
    await Promise.all(
      ['tcp', 'tcp6'].map((file) => readFile(`/proc/${pid}/net/${file}`, 'utf8').catch(() => '')),
    )
  ).flatMap((text) =>
    text
      .split('\n')
      .slice(1)
      .map(socketRow)
      .filter((r) => r !== undefined),
  )
  const listening = new Set(rows.filter((r) => r.state === LISTEN).map((r) => r.localPort))
  const counts: PortCounts = new Map()
  for (const row of rows) {
    if (row.state !== ESTABLISHED) continue
    const port = listening.has(row.localPort) ? row.localPort : row.remotePort
    counts.set(port, (counts.get(port) ?? 0) + 1)
  }
  return counts
}

/** `sl local rem st ...`, addresses as HEX:PORT in hex. */
function socketRow(line: string): { localPort: number; remotePort: number; state: string } | undefined {
  const [, local, remote, state] = line.trim().split(/\s+/)
  if (local === undefined || remote === undefined || state === undefined) return undefined
  const port = (address: string) => Number.parseInt(address.slice(address.lastIndexOf(':') + 1), 16)
  return { localPort: port(local), remotePort: port(remote), state }
}

/** Peer connections per agent, over the run. */
export interface PeerConnectionStats {
  /** The largest count any target held at once (duplicate dials not yet closed included). */
  targetMax: number
  /** Each target's mean over the samples in which it had any peer, averaged over the targets. */
  targetMean: number
  /** The most the source held at once: its fan-in. */
  source: number
}

/**
 * Counts only connections that are neither SSH nor the tracker's, i.e. peer wires (a target's
 * keep-alive connection to the tracker would otherwise count as one more peer).
 */
export function peerConnectionStats(
  samples: ConnectionSamples,
  source: string,
  excludedPorts: readonly number[],
): PeerConnectionStats {
  const peers = (counts: PortCounts) =>
    [...counts].reduce((sum, [port, n]) => (excludedPorts.includes(port) ? sum : sum + n), 0)
  const series = new Map([...samples].map(([host, list]) => [host, list.map(peers)]))
  const targets = [...series].filter(([host]) => host !== source).map(([, counts]) => counts)
  const connected = targets.map((counts) => counts.filter((n) => n > 0))
  return {
    targetMax: Math.max(0, ...targets.flat()),
    targetMean: mean(connected.filter((c) => c.length > 0).map(mean)),
    source: Math.max(0, ...(series.get(source) ?? [])),
  }
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length
}
