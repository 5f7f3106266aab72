import type { Cluster } from '../cluster.js'
import { pollUntil } from '../poll-until.js'
import type { startFanout } from '../run-fanout.js'
import type { FaultPlan } from './plan-faults.js'
import type { SoakBed } from './soak-bed.js'

/** The CLI as startFanout returns it. */
export type RunningCli = ReturnType<typeof startFanout>

/** What a fault leaves to undo once the CLI has exited. */
export interface InjectedFault {
  /** The soak's own artefacts (a filler file), removed before the hosts are judged. */
  removeArtefacts(): Promise<void>
  /** The fault's lasting part (a link down, an agent stopped that nobody killed), after the exit's facts. */
  undo(): Promise<void>
}

const NOTHING_LEFT: InjectedFault = { removeArtefacts: async () => {}, undo: async () => {} }
/** The file that fills a target's disk; removed before the hosts are judged. */
export const FILLER = 'soak-filler'

/**
 * Injects the plan's fault. Processes are signalled by the pid found in the victim's own network
 * namespace, never by name. Resolves with what to undo, or with why the fault could not go in
 * (e.g. no agent left to kill).
 */
export async function injectFault(
  bed: SoakBed,
  plan: FaultPlan,
  cli: RunningCli,
): Promise<InjectedFault | string> {
  const { cluster } = bed
  const host = plan.victim
  switch (plan.kind) {
    case 'agent-kill':
    case 'source-kill':
      return signalAgent(cluster, host, 'KILL', () => NOTHING_LEFT)
    case 'agent-stop':
      return signalAgent(cluster, host, 'STOP', (pid) => ({
        ...NOTHING_LEFT,
        undo: () => continueIfAlive(cluster, host, pid),
      }))
    case 'ssh-cut':
      return cutSsh(cluster, host)
    case 'link-down':
    case 'source-cut':
      await cluster.setLink(host, false)
      return { ...NOTHING_LEFT, undo: () => bringLinkBack(cluster, host) }
    case 'disk-full':
      return fillDisk(bed, host)
    case 'orchestrator-sigint':
      cli.kill('SIGINT')
      return NOTHING_LEFT
    case 'orchestrator-kill':
      cli.kill('SIGKILL')
      return NOTHING_LEFT
  }
}

async function agentPids(cluster: Cluster, host: string): Promise<number[]> {
  return (await cluster.processes(host)).filter((p) => p.cmdline.includes('agent.mjs')).map((p) => p.pid)
}

async function signalAgent(
  cluster: Cluster,
  host: string,
  signal: 'KILL' | 'STOP',
  then: (pid: number) => InjectedFault,
): Promise<InjectedFault | string> {
  const pids = await agentPids(cluster, host)
  const pid = pids[0]
  if (pid === undefined || pids.length > 1) return `${pids.length} agents on ${host}, expected one`
  await cluster.exec(host, ['kill', `-${signal}`, String(pid)])
  return then(pid)
}

/** A stopped agent that fanout did not kill would sit there for ever; let it see its channel is gone. */
async function continueIfAlive(cluster: Cluster, host: string, pid: number): Promise<void> {
  if ((await agentPids(cluster, host)).includes(pid)) await cluster.exec(host, ['kill', '-CONT', String(pid)])
}

/**
 * Ends the host's SSH connections by killing its sshd session processes (`sshd: root@notty` and
 * its privileged monitor), which hold the connection's socket. cluster.stopSsh would only refuse
 * new connections; the host's network and its listening sshd stay up.
 */
async function cutSsh(cluster: Cluster, host: string): Promise<InjectedFault | string> {
  const sessions = (await cluster.processes(host)).filter((p) => p.cmdline.startsWith('sshd'))
  if (sessions.length === 0) return `no SSH session on ${host}`
  await cluster.exec(host, ['kill', '-9', ...sessions.map((p) => String(p.pid))])
  return NOTHING_LEFT
}

/**
 * Leaves the host cut off until its agent has given up by itself (its idle timeout), as a host
 * that stays down would see it, then plugs it back in; bounded, the settling judges what is left.
 */
async function bringLinkBack(cluster: Cluster, host: string): Promise<void> {
  try {
    await pollUntil(
      `the agent on ${host} to stop while cut off`,
      async () => ((await agentPids(cluster, host)).length === 0 ? true : undefined),
      { timeoutMs: 30_000, intervalMs: 200 },
    )
  } catch {
    // Still there: the settled state will show it.
  } finally {
    await cluster.setLink(host, true)
  }
}

/** Something else on the host takes all but 1 MiB of what is left, as in target-faults.test.ts. */
async function fillDisk(bed: SoakBed, host: string): Promise<InjectedFault | string> {
  const filler = `${bed.layout.dir}/${FILLER}`
  const script = 'fallocate -l $(( $(df --output=avail -B1 "$1" | tail -1) - 1048576 )) "$2"'
  const filled = await bed.cluster.exec(host, ['sh', '-c', script, 'fill', bed.layout.dir, filler])
  const removeArtefacts = async () => {
    await bed.cluster.exec(host, ['rm', '-f', filler])
  }
  if (filled.exitCode !== 0) {
    await removeArtefacts()
    return `fallocate failed on ${host}: ${filled.stderr.trim()}`
  }
  return { removeArtefacts, undo: async () => {} }
}
