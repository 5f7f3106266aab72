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
      Partial<Pick<TargetProgress, 'state' | 'finalPath' | 'wireBytes' | 'readBackSeconds' | 'replication'>>,
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
