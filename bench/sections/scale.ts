import { appendFile } from 'node:fs/promises'
import { type Cluster, createCluster } from '../../test/helpers/cluster.js'
import { copyRun, runTimeoutMs, say } from '../lib/copy-run.js'
import { treeDigest } from '../lib/digest.js'
import {
  type PeerConnectionStats,
  peerConnectionStats,
  startConnectionSampler,
} from '../lib/peer-connections.js'
import { type RunLogFacts, readRunLog } from '../lib/run-log.js'
import { runFanout } from '../methods/fanout.js'
import type { CopyJob, Measurement } from '../methods/measurement.js'
import type { SuiteParams } from '../options.js'
import { makeRandomFile, SOURCE_DIR, TARGET_DIR } from '../payload.js'

/** One fanout run of the scale section, with what it cost the swarm, the tracker and SSH. */
export interface ScaleRow {
  measurement: Measurement
  /** Peer wires per agent (neither SSH nor the tracker), from /proc every second. */
  connections: PeerConnectionStats | undefined
  log: RunLogFacts
}

export interface ScaleResults {
  bytes: number
  /** How long the cluster of the largest N took to build (namespaces, shaping, sshd). */
  clusterSeconds: number
  hosts: number
  rows: ScaleRow[]
}

const SSH_PORT = 22

/**
 * The scale part: one cluster of source h0 and as many targets as the largest N, every link shaped
 * to the scale section's own B (low, so that the machine's cores are not what limits 64 targets),
 * fanout alone at each N on the same hosts, the targets emptied between runs (copyRun).
 */
export async function runScale(params: SuiteParams): Promise<ScaleResults> {
  const { counts, mib, mbit, queueMs } = params.scale
  const names = Array.from({ length: Math.max(...counts) + 1 }, (_, i) => `h${i}`)
  say(`creating a ${names.length}-host cluster, ${mbit} Mbit/s per host`)
  const started = performance.now()
  const cluster = await createCluster(
    names.map((name) => ({ name, diskMiB: mib * 2 + 128, rateMbit: mbit, queueMs })),
  )
  const clusterSeconds = (performance.now() - started) / 1000
  say(`cluster up in ${clusterSeconds.toFixed(1)} s`)
  try {
    const bytes = await makeRandomFile(cluster, 'h0', 'payload', mib)
    const digest = await treeDigest(cluster, 'h0', SOURCE_DIR, 'payload')
    const rows: ScaleRow[] = []
    for (const n of counts) rows.push(...(await scaleRun(jobFor(cluster, params, bytes, n), digest, params)))
    await cluster.exec('h0', ['rm', '-f', `${SOURCE_DIR}/payload`])
    return { bytes, clusterSeconds, hosts: names.length, rows }
  } finally {
    await cluster.destroy()
  }
}

function jobFor(cluster: Cluster, params: SuiteParams, bytes: number, n: number): CopyJob {
  const linkBytesPerSecond = (params.scale.mbit * 1e6) / 8
  return {
    cluster,
    source: 'h0',
    targets: Array.from({ length: n }, (_, i) => `h${i + 1}`),
    dir: SOURCE_DIR,
    name: 'payload',
    targetDir: TARGET_DIR,
    bytes,
    linkBytesPerSecond,
    timeoutMs: runTimeoutMs(bytes, linkBytesPerSecond, 1),
  }
}

async function scaleRun(job: CopyJob, digest: string, params: SuiteParams): Promise<ScaleRow[]> {
  let log: RunLogFacts = { tracker: undefined, ssh: undefined }
  let connections: PeerConnectionStats | undefined
  const rows = await copyRun(job, digest, 'fanout', async (j) => {
    const sampler = await startConnectionSampler(j.cluster, [j.source, ...j.targets])
    try {
      return await runFanout(j, {
        cli: params.cli,
        // One target would get the stream transport: the curve is the swarm's, from N = 1.
        flags: ['--transport', 'swarm'],
        onLog: (stderr) => {
          log = readRunLog(stderr)
        },
      })
    } finally {
      const samples = await sampler.stop()
      if (process.env.FANOUT_BENCH_CONNECTIONS)
        await appendFile(
          process.env.FANOUT_BENCH_CONNECTIONS,
          `${JSON.stringify({ n: j.targets.length, tracker: log.tracker?.port, samples: [...samples].map(([h, l]) => [h, l.map((m) => Object.fromEntries(m))]) })}\n`,
        )
      const trackerPort = log.tracker?.port
      // Without the tracker's port its keep-alive connections would count as peers: better none.
      if (trackerPort !== undefined)
        connections = peerConnectionStats(samples, j.source, [SSH_PORT, trackerPort])
    }
  })
  return rows.map((measurement) => ({ measurement, connections, log }))
}
