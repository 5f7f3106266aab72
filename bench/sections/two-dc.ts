import { rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { TwoSiteCluster } from '../../test/helpers/two-site-cluster.js'
import { buildRelay } from '../../test/helpers/wan-relay.js'
import { copyRun, runTimeoutMs, say } from '../lib/copy-run.js'
import { treeDigest } from '../lib/digest.js'
import { runAria2 } from '../methods/aria2.js'
import { runFanout } from '../methods/fanout.js'
import type { CopyJob, Measurement } from '../methods/measurement.js'
import { serialPipes } from '../methods/pipes.js'
import type { MethodName, SuiteParams } from '../options.js'
import { makeRandomFile, SOURCE_DIR, TARGET_DIR } from '../payload.js'
import { checkWan, createTwoDc, type WanCheck, wanCounters, wanDelta } from '../wan.js'

/**
 * The two-data-centre part: the WAN check, then one row per method with the bytes that crossed.
 * fanout runs without `--topology`, so what is measured includes its inference of the sites from
 * round-trip times; its row says what it inferred (`sites`).
 */
export interface TwoDcResults {
  check: WanCheck
  rows: Measurement[]
}

/**
 * dc1: the source h0 and targets h1..h4; dc2: targets h5..h12; every host shaped to B, the sites
 * joined by a WAN of 200 Mbit/s and 20 ms each way (test/helpers/wan-delay.c plus tbf in a router namespace).
 */
export async function runTwoDc(params: SuiteParams): Promise<TwoDcResults> {
  const { dc1Targets, dc2Targets } = params.wan
  const dc1 = Array.from({ length: dc1Targets + 1 }, (_, i) => `h${i}`)
  const dc2 = Array.from({ length: dc2Targets }, (_, i) => `h${dc1Targets + 1 + i}`)
  const relay = await buildRelay()
  const spec = (name: string) => ({ name, diskMiB: Math.ceil(params.mib + 128), rateMbit: params.mbit })
  say(`creating the two-site cluster: ${dc1.length} hosts in dc1, ${dc2.length} in dc2`)
  const cluster = await createTwoDc(relay, params.wan, { dc1: dc1.map(spec), dc2: dc2.map(spec) })
  try {
    const pairs = dc1.slice(1).map((h, i): [string, string] => [h, dc2[i] ?? ''])
    const check = await checkWan(cluster, pairs)
    say(`WAN check: RTT ${check.rttMs.toFixed(1)} ms, ${check.mbitDc1ToDc2.toFixed(0)} Mbit/s dc1 -> dc2`)
    const rows = await methodRuns(cluster, params, [...dc1.slice(1), ...dc2])
    for (const row of rows) if (row.sites !== undefined) say(`${row.method}: ${row.sites}`)
    return { check, rows }
  } finally {
    await cluster.destroy()
    await rm(dirname(relay), { recursive: true, force: true })
  }
}

async function methodRuns(
  cluster: TwoSiteCluster,
  params: SuiteParams,
  targets: string[],
): Promise<Measurement[]> {
  const bytes = await makeRandomFile(cluster, 'h0', 'payload', params.mib)
  const digest = await treeDigest(cluster, 'h0', SOURCE_DIR, 'payload')
  const linkBytesPerSecond = (params.mbit * 1e6) / 8
  const job: CopyJob = {
    cluster,
    source: 'h0',
    targets,
    dir: SOURCE_DIR,
    name: 'payload',
    targetDir: TARGET_DIR,
    bytes,
    linkBytesPerSecond,
    timeoutMs: runTimeoutMs(bytes, linkBytesPerSecond, targets.length),
  }
  const methods: [MethodName, string, (j: CopyJob) => Promise<Measurement | Measurement[]>][] = [
    ['fanout', 'fanout', (j) => runFanout(j, { cli: params.cli })],
    ['aria2c', 'aria2c', runAria2],
    ['pipes', 'tar|nc, serial', (j) => serialPipes(j, false, [targets.length])],
  ]
  const rows: Measurement[] = []
  for (const [kind, name, method] of methods) {
    if (params.methods.includes(kind)) rows.push(...(await withWanBytes(cluster, job, digest, name, method)))
  }
  return rows
}

async function withWanBytes(
  cluster: TwoSiteCluster,
  job: CopyJob,
  digest: string,
  name: string,
  method: (j: CopyJob) => Promise<Measurement | Measurement[]>,
): Promise<Measurement[]> {
  // The counters are read around the method alone, so resets and verification do not count.
  return copyRun(job, digest, name, async (j) => {
    const before = await wanCounters(cluster)
    const result = await method(j)
    const wan = wanDelta(before, await wanCounters(cluster))
    for (const row of Array.isArray(result) ? result : [result]) row.wan = wan
    return result
  })
}
