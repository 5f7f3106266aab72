import type { Cluster } from '../../test/helpers/cluster.js'
import type { Usage } from '../lib/host-process.js'
import type { ProgressSummary } from '../lib/progress.js'
import type { WanBytes } from '../wan.js'

/** What one method is asked to copy, and where. */
export interface CopyJob {
  cluster: Cluster
  source: string
  targets: readonly string[]
  /** The payload is `${dir}/${name}` on the source and lands as `${targetDir}/${name}` on each target. */
  dir: string
  name: string
  targetDir: string
  /** S, for ratios and progress. */
  bytes: number
  /** Every host's link rate B, in bytes per second. */
  linkBytesPerSecond: number
  /** No step of a run may take longer. */
  timeoutMs: number
}

/** One row of the report: one method, one target count. */
export interface Measurement {
  method: string
  targets: number
  /** Wall time until every target held a verified copy. */
  seconds: number
  /**
   * When each target's copy was complete, in seconds on the same clock as `seconds` (fanout: landed,
   * from its `--json` summary; aria2c: its `--on-bt-download-complete` hook). Where a method reports
   * it; a target that never completed is absent.
   */
  perTarget?: TargetTime[]
  /** Part of `seconds` spent before data moved, where the method has such a step (torrent creation). */
  prepSeconds?: number
  /** The sha256 check of every copy against the source, after the run, not part of `seconds`. */
  verifySeconds?: number
  source?: Usage | undefined
  /**
   * fanout: payload bytes the source queued to a connection that it had queued before, in copies of
   * S (its agent's own count of blocks; 0 means no block was handed over twice).
   */
  sourceRepeated?: number | undefined
  /** The largest CPU time and the largest peak RSS among the targets. */
  targetMax?: Usage | undefined
  /** CPU seconds of all targets together, to tell how busy the machine's cores were. */
  targetCpuTotal?: number | undefined
  /** The process that drives the run from the admin host, where there is one (fanout's CLI). */
  orchestrator?: Usage | undefined
  progress?: ProgressSummary | undefined
  wan?: WanBytes
  notes?: string[]
  /**
   * The machine's 1-minute load average when the run ended: anything else running on the machine
   * (a test suite) competes with the virtual hosts for its cores, and this shows when it did.
   */
  loadAverage?: number
  /** fanout: the sites it decided on, as its summary line says them (`sites: dc1 = source + ...`). */
  sites?: string | undefined
  /** Set when the run did not end with every target holding a copy: what went wrong. */
  failed?: string
}

/** One target's completion time within a run. */
export interface TargetTime {
  /** The host's name in the cluster (`h3`). */
  target: string
  seconds: number
}
