import { type Cluster, createCluster } from '../../test/helpers/cluster.js'
import { copyRun, runTimeoutMs, say } from '../lib/copy-run.js'
import { treeDigest } from '../lib/digest.js'
import { runAria2 } from '../methods/aria2.js'
import { runFanout } from '../methods/fanout.js'
import type { CopyJob, Measurement } from '../methods/measurement.js'
import type { SuiteParams } from '../options.js'
import { makeRandomFile, SOURCE_DIR, TARGET_DIR } from '../payload.js'
import { layoutSpecs, type UnevenLayout, unevenLayouts } from './uneven-layouts.js'

/** One layout's runs: S and one row per method, each with its targets' own completion times. */
export interface UnevenRun {
  layout: UnevenLayout
  bytes: number
  rows: Measurement[]
}

/**
 * The uneven-links part: for each layout its own cluster, one random file of S (`--uneven-mib`),
 * fanout and aria2c on the same hosts, the targets emptied between runs (copyRun).
 */
export async function runUneven(params: SuiteParams): Promise<UnevenRun[]> {
  const runs: UnevenRun[] = []
  for (const layout of unevenLayouts(params.mbit)) {
    const diskMiB = Math.ceil(params.unevenMib * 2 + 128)
    say(`creating the '${layout.name}' cluster: ${layout.description}`)
    const cluster = await createCluster(layoutSpecs(layout, diskMiB))
    try {
      runs.push(await layoutRuns(cluster, layout, params))
    } finally {
      await cluster.destroy()
    }
  }
  return runs
}

async function layoutRuns(cluster: Cluster, layout: UnevenLayout, params: SuiteParams): Promise<UnevenRun> {
  const bytes = await makeRandomFile(cluster, layout.source.name, 'payload', params.unevenMib)
  const digest = await treeDigest(cluster, layout.source.name, SOURCE_DIR, 'payload')
  const slowest = Math.min(...layout.targets.map((t) => t.downMbit), layout.source.upMbit)
  const job: CopyJob = {
    cluster,
    source: layout.source.name,
    targets: layout.targets.map((t) => t.name),
    dir: SOURCE_DIR,
    name: 'payload',
    targetDir: TARGET_DIR,
    bytes,
    // The source's rate: what the progress summary's shares of B are taken against.
    linkBytesPerSecond: (layout.source.upMbit * 1e6) / 8,
    // Sized by the slowest target, whose copy ends the run.
    timeoutMs: runTimeoutMs(bytes, (slowest * 1e6) / 8, 1),
  }
  const rows: Measurement[] = []
  if (params.methods.includes('fanout'))
    rows.push(...(await copyRun(job, digest, 'fanout', (j) => runFanout(j, { cli: params.cli }))))
  if (params.methods.includes('aria2c')) rows.push(...(await copyRun(job, digest, 'aria2c', runAria2)))
  await cluster.exec(layout.source.name, ['rm', '-f', `${SOURCE_DIR}/payload`])
  return { layout, bytes, rows }
}
