import { type Cluster, createCluster } from '../../test/helpers/cluster.js'
import { copyRun, runTimeoutMs, say } from '../lib/copy-run.js'
import { treeDigest } from '../lib/digest.js'
import { runAria2 } from '../methods/aria2.js'
import { runFanout } from '../methods/fanout.js'
import type { CopyJob, Measurement } from '../methods/measurement.js'
import { parallelPipes, serialPipes } from '../methods/pipes.js'
import type { SuiteParams } from '../options.js'
import { makeRandomFile, makeTree, SOURCE_DIR, TARGET_DIR } from '../payload.js'

/** Rows of the single-bridge part: one file of S, and the datadir-like tree. */
export interface SingleBridgeResults {
  file: Measurement[]
  tree: Measurement[]
}

/**
 * One cluster on one bridge, every host shaped to B both ways: source h0 and as many targets as
 * the largest N. Each method runs on the same hosts, with the targets emptied between runs.
 */
export async function runSingleBridge(params: SuiteParams): Promise<SingleBridgeResults> {
  const treeTargets = params.sections.includes('tree') ? params.treeTargets : 0
  const maxTargets = Math.max(...params.counts, ...params.pipeCounts, treeTargets)
  const names = Array.from({ length: maxTargets + 1 }, (_, i) => `h${i}`)
  // Room for the file and the tree on the source, and for one copy plus staging on a target.
  const diskMiB = Math.ceil(params.mib * 2 + 128)
  say(`creating a ${names.length}-host cluster, ${params.mbit} Mbit/s per host`)
  const cluster = await createCluster(names.map((name) => ({ name, diskMiB, rateMbit: params.mbit })))
  try {
    const file = params.sections.includes('file') ? await fileRuns(cluster, params) : []
    const tree = params.sections.includes('tree') ? await treeRuns(cluster, params) : []
    return { file, tree }
  } finally {
    await cluster.destroy()
  }
}

/** Ten times S/B plus two minutes of set-up. */
function treeTimeoutMs(bytes: number, params: SuiteParams): number {
  return 120_000 + Math.ceil(((bytes * 8) / (params.mbit * 1e6)) * 10_000)
}

function jobFor(cluster: Cluster, params: SuiteParams, name: string, bytes: number, n: number): CopyJob {
  const linkBytesPerSecond = (params.mbit * 1e6) / 8
  return {
    cluster,
    source: 'h0',
    targets: Array.from({ length: n }, (_, i) => `h${i + 1}`),
    dir: SOURCE_DIR,
    name,
    targetDir: TARGET_DIR,
    bytes,
    linkBytesPerSecond,
    timeoutMs: runTimeoutMs(bytes, linkBytesPerSecond, n),
  }
}

async function fileRuns(cluster: Cluster, params: SuiteParams): Promise<Measurement[]> {
  const bytes = await makeRandomFile(cluster, 'h0', 'payload', params.mib)
  const digest = await treeDigest(cluster, 'h0', SOURCE_DIR, 'payload')
  const job = (n: number) => jobFor(cluster, params, 'payload', bytes, n)
  const rows: Measurement[] = []
  if (params.methods.includes('fanout'))
    for (const [index, n] of params.counts.entries())
      for (let round = 0; round < params.repeat; round++)
        rows.push(...(await fanoutRuns(job(n), digest, params, (index + round) % 2 === 0)))
  if (params.methods.includes('aria2c'))
    for (const n of params.counts) rows.push(...(await copyRun(job(n), digest, 'aria2c', runAria2)))
  if (params.methods.includes('pipes')) rows.push(...(await pipeRuns(job, digest, params)))
  await cluster.exec('h0', ['rm', '-f', `${SOURCE_DIR}/payload`])
  return rows
}

/** fanout at one N; with a baseline build, both, the baseline first when `baselineFirst`. */
async function fanoutRuns(
  job: CopyJob,
  digest: string,
  params: SuiteParams,
  baselineFirst: boolean,
): Promise<Measurement[]> {
  const builds = [{ method: 'fanout', cli: params.cli }]
  const { baselineCli } = params
  if (baselineCli !== undefined) {
    const baseline = { method: 'fanout (baseline)', cli: baselineCli }
    if (baselineFirst) builds.unshift(baseline)
    else builds.push(baseline)
  }
  const rows: Measurement[] = []
  for (const { method, cli } of builds)
    rows.push(...(await copyRun(job, digest, method, (j) => runFanout(j, { cli, method }))))
  return rows
}

async function pipeRuns(
  job: (n: number) => CopyJob,
  digest: string,
  params: SuiteParams,
): Promise<Measurement[]> {
  const rows: Measurement[] = []
  if (params.pipeCounts.length === 0) return rows
  const most = Math.max(...params.pipeCounts)
  for (const pigz of params.pigz ? [false, true] : [false]) {
    const method = pigz ? 'tar|pigz|nc, serial' : 'tar|nc, serial'
    rows.push(...(await copyRun(job(most), digest, method, (j) => serialPipes(j, pigz, params.pipeCounts))))
  }
  for (const n of params.pipeCounts)
    rows.push(...(await copyRun(job(n), digest, 'tar|nc, parallel', (j) => parallelPipes(j, false))))
  return rows
}

async function treeRuns(cluster: Cluster, params: SuiteParams): Promise<Measurement[]> {
  say(`writing a ${params.treeFiles}-file tree of ${params.mib} MiB on the source`)
  const bytes = await makeTree(cluster, 'h0', 'datadir', params.mib, params.treeFiles)
  const digest = await treeDigest(cluster, 'h0', SOURCE_DIR, 'datadir')
  const job = (n: number) => jobFor(cluster, params, 'datadir', bytes, n)
  // A tree of many small files is where a swarm can be slow for other reasons than the network;
  // a tighter bound than the file runs' keeps a pathological run from eating the suite's time.
  const treeJob = { ...job(params.treeTargets), timeoutMs: treeTimeoutMs(bytes, params) }
  const rows = await copyRun(treeJob, digest, 'fanout', (j) => runFanout(j, { cli: params.cli }))
  rows.push(...(await copyRun(job(1), digest, 'tar|nc, serial', (j) => serialPipes(j, false, [1]))))
  return rows
}
