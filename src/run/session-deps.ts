import type { Logger } from 'pino'
import type { AgentReport, ArchiveFormat, BackupOrder } from '../../shared/messages.js'
import type { Config } from '../config/defaults.js'
import { replicationStart } from '../core/backup-position.js'
import type { TargetProgress } from '../core/progress.js'
import type { CleanupStack } from './cleanup-stack.js'
import type { HostPool } from './host-pool.js'
import type { LinkSwitch } from './link-switch.js'
import type { AgentUsage, TransferState } from './transfer-state.js'

/** What every run's session uses, whichever way the bytes travel (swarm-session, stream-session). */
export interface SessionDeps {
  pool: HostPool
  cleanup: CleanupStack
  state: TransferState
  log: Logger
  signal: AbortSignal
  config: Readonly<Config>
  /** The transfer's secret; goes to every agent over its channel only. */
  swarmKey: Buffer
  /** The archive each target unpacks into its directory (found by the pre-flight); null: none. */
  archive: ArchiveFormat | null
  /** A hot backup the source takes (and the targets unpack as `archive` xbstream); null: none. */
  backup: BackupOrder | null
  /** `--link`: told of each copy that landed, with its agent; switches when its verdict says so. */
  links: LinkSwitch
  /**
   * `--base` and some target has it: the source digests every file and cuts small pieces. When no
   * target has the base, whole-copy pieces are faster and the base changes nothing.
   */
  incremental: boolean
  /** Test hook: each target flips a byte of what it wrote before reading it back. */
  corruptForTest?: boolean
}

/** What a target's agent must do with an archive; nothing for a payload that lands as it is. */
export function unpackOrders(deps: SessionDeps): { unpack?: ArchiveFormat; prepare?: boolean } {
  if (deps.archive === null) return {}
  return deps.archive === 'xbstream' && deps.config.prepare
    ? { unpack: deps.archive, prepare: true }
    : { unpack: deps.archive }
}

type Finalized = Extract<AgentReport, { type: 'finalized' }>

/** A landed target's extras for its result: the read-back's time, a backup's position. */
export function landedDetails({
  readBackSeconds,
  backup,
}: Finalized): Pick<TargetProgress, 'readBackSeconds' | 'replication'> {
  const replication = backup === undefined ? null : replicationStart(backup)
  return {
    ...(readBackSeconds === undefined ? {} : { readBackSeconds }),
    ...(replication === null ? {} : { replication }),
  }
}

/** An agent's last report, as the run's result keeps it for that endpoint and role. */
export function usageOf(
  endpoint: string,
  role: AgentUsage['role'],
  report: Extract<AgentReport, { type: 'usage' }>,
): AgentUsage {
  const { cpuSeconds, maxRssBytes, served } = report
  return { endpoint, role, cpuSeconds, maxRssBytes, ...(served === undefined ? {} : { served }) }
}
