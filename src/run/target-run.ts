import type { Placement } from '../../shared/placement.js'
import type { Endpoint } from '../core/endpoint.js'
import type { AgentChannel } from './agent-channel.js'

/**
 * What a run knows of one target, gathered in one record as the run learns it. Its progress and
 * outcome are in TransferState's `targets[index]`, which the snapshots and the result are made from.
 */
export interface TargetRun {
  readonly index: number
  readonly endpoint: Endpoint
  /** Its agent, once started; stays undefined for a target whose agent could not start. */
  channel?: AgentChannel
  /** Its site and share of the pieces, once the sites are decided (started targets only). */
  placement?: Placement
}

export function targetRuns(targets: readonly Endpoint[]): TargetRun[] {
  return targets.map((endpoint, index) => ({ index, endpoint }))
}
