import type { FanoutCode } from '../../shared/errors.js'
import type { FromBase, TransferCounters } from '../../shared/messages.js'
import type { ReplicationStart } from './backup-position.js'

export type TransferPhase = 'checking' | 'hashing' | 'transferring' | 'finalizing' | 'done'

export type TargetState = 'checking' | 'starting' | 'downloading' | 'complete' | 'done' | 'failed' | 'aborted'

export interface TargetProgress extends TransferCounters {
  /** The target as the user wrote it. */
  target: string
  state: TargetState
  /** Where the copy ended up, once it is in place. */
  finalPath?: string
  /** Stream only: bytes on the wire (after compression), once the stream is complete. */
  wireBytes?: number
  /** With --checksum: seconds spent re-reading the copy from disk. */
  readBackSeconds?: number
  /** Swarm, once complete: payload bytes that came over the network. */
  received?: number
  /** With --base: what the target copied from its base (found false: it had none). */
  fromBase?: FromBase
  /** A MariaDB backup's copy: where it stands, for starting a replica on it. */
  replication?: ReplicationStart
  error?: { code: FanoutCode; message: string }
}

/** What the progress display and API listeners see; a plain value, safe to keep. */
export interface ProgressSnapshot {
  phase: TransferPhase
  /** Payload bytes (every target gets all of them). */
  totalBytes: number
  hashedBytes: number
  elapsedMs: number
  targets: TargetProgress[]
  /** Sum of the targets' download rates, bytes per second. */
  rate: number
  /** Seconds until the slowest target is done at current rates; null when unknown. */
  etaSeconds: number | null
}

export function emptyCounters(): TransferCounters {
  return { downloaded: 0, uploaded: 0, downloadRate: 0, uploadRate: 0, peers: 0 }
}

/** Builds a snapshot from the runner's current view. Pure: the clock is passed in. */
export function snapshotOf(view: {
  phase: TransferPhase
  totalBytes: number
  hashedBytes: number
  startedAt: number
  now: number
  targets: readonly TargetProgress[]
}): ProgressSnapshot {
  const active = view.targets.filter((t) => t.state === 'downloading')
  const rate = active.reduce((sum, t) => sum + t.downloadRate, 0)
  return {
    phase: view.phase,
    totalBytes: view.totalBytes,
    hashedBytes: view.hashedBytes,
    elapsedMs: view.now - view.startedAt,
    targets: view.targets.map((t) => ({ ...t })),
    rate,
    etaSeconds: slowestEta(active, view.totalBytes),
  }
}

function slowestEta(active: readonly TargetProgress[], totalBytes: number): number | null {
  let worst = 0
  for (const target of active) {
    const remaining = Math.max(0, totalBytes - target.downloaded)
    if (remaining === 0) continue
    if (target.downloadRate <= 0) return null
    worst = Math.max(worst, remaining / target.downloadRate)
  }
  return active.length === 0 ? null : Math.ceil(worst)
}
