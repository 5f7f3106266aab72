import type { FanoutError } from '../../shared/errors.js'
import type { ServedCounts, TransferCounters } from '../../shared/messages.js'
import {
  emptyCounters,
  type ProgressSnapshot,
  snapshotOf,
  type TargetProgress,
  type TransferPhase,
} from '../core/progress.js'
import { type SiteLayout, singleSite } from '../core/sites.js'

export interface AgentUsage {
  /** The endpoint as the user wrote it. */
  endpoint: string
  role: 'source' | 'target'
  cpuSeconds: number
  maxRssBytes: number
  /** The source only: what it queued to targets' connections, and how much of that more than once. */
  served?: ServedCounts
}

/** A hot backup as the run saw it. */
export interface BackupEnd {
  bytes: number
  /** From the start of the run to the backup's "completed OK!". */
  seconds: number
  /**
   * Share of the backup's bytes the targets together held when it completed: how much of the
   * transfer overlapped the backup (the stream's single target holds nearly all of it).
   */
  heldByTargets: number
}

/** The source's agent was lost while targets still fetched (its host down, killed, its link cut). */
export interface SourceLoss {
  /** From the start of the run. */
  seconds: number
  /** How the loss showed: the agent's exit or the connection's error. */
  reason: string
  /** Pieces the live targets held between them then, of `pieces`. */
  heldPieces: number
  pieces: number
  /** The targets held every piece and went on without the source. */
  survived: boolean
  /** A rerun resumes from the targets' staging copies (not so for a hot backup). */
  resumable: boolean
}

/** The runner's live view of a transfer; every change is announced through `onChange`. */
export class TransferState {
  phase: TransferPhase = 'checking'
  totalBytes = 0
  hashedBytes = 0
  readonly targets: TargetProgress[]
  /** Things the user should know that did not fail the transfer (e.g. a socket that was not copied). */
  readonly warnings: string[] = []
  /** What each agent cost its host, as reported when it exited. */
  readonly usage: AgentUsage[] = []
  /** Which site each target is in; replaced by the inferred sites once they are measured. */
  sites: SiteLayout
  /** A hot backup's end: its size, when it ended, and what the targets held of it then. */
  backupEnd: BackupEnd | undefined
  /** Set when the swarm's source was lost before every target was complete. */
  sourceLost: SourceLoss | undefined
  private readonly finishedAt = new Map<string, number>()

  constructor(
    targetSpecs: readonly string[],
    readonly startedAt: number,
    private readonly clock: () => number,
    private readonly onChange: (snapshot: ProgressSnapshot) => void,
  ) {
    this.targets = targetSpecs.map((target) => ({ target, state: 'checking', ...emptyCounters() }))
    this.sites = singleSite(targetSpecs.length)
  }

  /**
   * The hot backup completed: records how much of it the targets it was for (all of them in a
   * swarm; one in a stream, where each target gets a backup of its own) already held.
   */
  backupEnded(bytes: number, forTargets: readonly number[] = this.targets.map((_, i) => i)): void {
    const held = forTargets.reduce((sum, i) => sum + Math.min(this.targets[i]?.downloaded ?? 0, bytes), 0)
    const seconds = (this.clock() - this.startedAt) / 1000
    const heldByTargets = bytes === 0 || forTargets.length === 0 ? 1 : held / (bytes * forTargets.length)
    this.backupEnd = { bytes, seconds, heldByTargets }
    this.setHashed(bytes, bytes)
  }

  setPhase(phase: TransferPhase): void {
    this.phase = phase
    this.changed()
  }

  setHashed(hashedBytes: number, totalBytes: number): void {
    this.hashedBytes = hashedBytes
    this.totalBytes = totalBytes
    this.changed()
  }

  update(
    index: number,
    change: Partial<TransferCounters> &
      Partial<
        Pick<
          TargetProgress,
          'state' | 'finalPath' | 'wireBytes' | 'readBackSeconds' | 'replication' | 'received' | 'fromBase'
        >
      >,
  ): void {
    const target = this.targets[index]
    if (target === undefined) return
    Object.assign(target, change)
    if (change.state === 'done') this.finishedAt.set(target.target, this.clock())
    this.changed()
  }

  fail(index: number, err: FanoutError): void {
    const target = this.targets[index]
    if (target === undefined) return
    target.state = err.code === 'ABORTED' ? 'aborted' : 'failed'
    target.error = { code: err.code, message: err.message }
    this.changed()
  }

  /** Seconds from the start of the run until the target's copy was in place. */
  secondsFor(index: number): number {
    const target = this.targets[index]
    const end = (target && this.finishedAt.get(target.target)) ?? this.clock()
    return (end - this.startedAt) / 1000
  }

  snapshot(): ProgressSnapshot {
    return snapshotOf({
      phase: this.phase,
      totalBytes: this.totalBytes,
      hashedBytes: this.hashedBytes,
      startedAt: this.startedAt,
      now: this.clock(),
      targets: this.targets,
    })
  }

  private changed(): void {
    this.onChange(this.snapshot())
  }
}
