import type { Logger } from 'pino'
import { firewallName } from '../../shared/firewall/ruleset.js'
import type { Config } from '../config/defaults.js'
import type { Endpoint } from '../core/endpoint.js'
import type { TransferPlan } from '../core/plan.js'
import type { Executor } from '../exec/executor.js'
import type { AgentChannel } from './agent-channel.js'
import type { CleanupStack } from './cleanup-stack.js'
import type { HostPool } from './host-pool.js'
import { startAgent } from './start-agent.js'

/** What starting a stream's agent needs: nothing the pre-flight finds out. */
export interface LaunchDeps {
  pool: HostPool
  log: Logger
  signal: AbortSignal
  config: Readonly<Config>
}

/** A stream agent that said hello, with the connection to its host. */
export interface Launched {
  channel: AgentChannel
  exec: Executor
}

/** The cleanup stacks of one target's stream: `kept` outlives `pair` when --link-when all holds agents. */
export interface StreamStacks {
  pair: CleanupStack
  kept: CleanupStack
}

/** The first stream's stacks and agents, started before its pre-flight has finished. */
export interface HeadStart extends StreamStacks {
  source: Promise<Launched>
  target: Promise<Launched>
}

export function stacksFor(endpoint: Endpoint, cleanup: CleanupStack, holdsAgents: boolean): StreamStacks {
  const pair = cleanup.child(`stream to ${endpoint.spec}`)
  // With --link-when all, the target's agent switches its link once every copy is in, so it stays
  // (idle, its listener closed) until the run ends, unless its copy failed.
  const kept = holdsAgents ? cleanup.child(`agent on ${endpoint.spec} for --link`) : pair
  return { pair, kept }
}

/** Starts the stream's agent for `role` on `endpoint`, registering its undo steps on `cleanup`. */
export async function launchStreamAgent(
  plan: TransferPlan,
  endpoint: Endpoint,
  role: 'source' | 'target',
  deps: LaunchDeps,
  cleanup: CleanupStack,
): Promise<Launched> {
  const { pool, signal, config } = deps
  const exec = await pool.get(endpoint, signal)
  const channel = await startAgent(exec, endpoint.host === null, {
    cleanup,
    log: deps.log,
    agentIdleTimeoutMs: config.agentIdleTimeoutMs,
    kind: 'stream',
    firewallName: role === 'target' && config.firewall ? firewallName(plan.transferId) : undefined,
  })
  return { channel, exec }
}

/**
 * Starts the first target's stream agents while the pre-flight runs. An agent's start (a shell, node,
 * the bundle: 0.2 s on this bed) took as long as the pre-flight's probes, one after the other, on
 * the critical path of every single copy. Starting one moves no data and writes only its own
 * private temp directory; a run whose pre-flight fails stops them as it unwinds `cleanup`, and
 * their failure is then nobody's concern, the pre-flight's problems say more.
 */
export function startFirstPair(
  plan: TransferPlan,
  deps: LaunchDeps & { cleanup: CleanupStack; holdsAgents: boolean },
): HeadStart | undefined {
  const first = plan.targets[0]
  if (first === undefined) return undefined
  const stacks = stacksFor(first, deps.cleanup, deps.holdsAgents)
  const source = launchStreamAgent(plan, plan.source, 'source', deps, stacks.pair)
  const target = launchStreamAgent(plan, first, 'target', deps, stacks.kept)
  source.catch(() => {})
  target.catch(() => {})
  return { ...stacks, source, target }
}
