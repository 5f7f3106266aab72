import type { Logger } from 'pino'
import type { AgentReport } from '../../shared/messages.js'
import type { Config } from '../config/defaults.js'
import type { CleanupStack } from './cleanup-stack.js'
import type { HostPool } from './host-pool.js'
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
  /** Test hook: each target flips a byte of what it wrote before reading it back. */
  corruptForTest?: boolean
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
