import type { Logger } from 'pino'
import { listLeftovers, type RunCommand, removeHoles } from '../../shared/firewall/firewall.js'
import { type CleanupTarget, parseCleanupTargets } from '../core/cleanup-targets.js'
import type { Executor } from '../exec/executor.js'
import { findAgents, killAgents, removeAgentDirs, type StepReport } from './cleanup-agents.js'
import { removeStagingDirs } from './cleanup-staging.js'
import type { ExecutorFactory } from './host-pool.js'

/** What `fanout cleanup` did on one host. */
export interface HostCleanupReport {
  /** The host as named on the command line (`h1`, `root@h1`), or `localhost`. */
  host: string
  /** One line per thing removed: "killed agent pid 1234 (…)", "removed nft table inet fanout_…". */
  removed: string[]
  /** One line per thing that could not be checked or removed; empty when the host is clean. */
  errors: string[]
}

export interface CleanupHostsInput {
  /** `HOST` or `HOST:/dir` operands, as `fanout cleanup` takes them. */
  specs: readonly string[]
  /** Resolves relative local paths. */
  cwd: string
  /** The same factory transfers use (`executorFactory(config, log)`). */
  createExecutor: ExecutorFactory
  log: Logger
  signal?: AbortSignal
}

// Each command is short; the slowest (stopping agents) waits at most about 7 s.
const COMMAND_TIMEOUT_MS = 60_000

/**
 * Removes everything a lost run can leave on each host, all hosts at once: agent processes first (so
 * none of them recreates what follows), then fanout firewall tables, rules and chains, shipped agent
 * directories, and the staging directories in the directories named. Never throws for a host: what
 * failed is in that host's report.
 *
 * @throws FanoutError('USAGE') for operands that are not hosts or endpoints.
 */
export async function cleanupHosts(input: CleanupHostsInput): Promise<HostCleanupReport[]> {
  const targets = parseCleanupTargets(input.specs, input.cwd)
  return Promise.all(targets.map((target) => cleanupHost(target, input)))
}

async function cleanupHost(target: CleanupTarget, input: CleanupHostsInput): Promise<HostCleanupReport> {
  const report: HostCleanupReport = { host: target.host, removed: [], errors: [] }
  const log = input.log.child({ host: target.host })
  let exec: Executor | undefined
  try {
    exec = await input.createExecutor(target.endpoint)
    await exec.connect(input.signal)
    const connected = exec
    const run: RunCommand = (argv, opts) =>
      connected.run(argv, {
        timeoutMs: COMMAND_TIMEOUT_MS,
        ...(opts?.input === undefined ? {} : { input: opts.input }),
        ...(input.signal === undefined ? {} : { signal: input.signal }),
      })
    await runSteps(run, target, report)
  } catch (err) {
    report.errors.push((err as Error).message)
  } finally {
    await exec?.close().catch((err: unknown) => log.debug({ err }, 'closing the connection failed'))
  }
  log.info({ removed: report.removed.length, errors: report.errors.length }, 'host cleaned')
  return report
}

async function runSteps(run: RunCommand, target: CleanupTarget, report: HostCleanupReport): Promise<void> {
  // Agents in another network namespace share our pid space but belong to another host; they are
  // left running, and so are their directories.
  const agents = await findAgents(run)
  const busy = new Set(agents.filter((a) => !a.ours).map((a) => a.dir))
  const steps: (() => Promise<StepReport>)[] = [
    () =>
      killAgents(
        run,
        agents.filter((a) => a.ours),
      ),
    () => removeFirewallLeftovers(run),
    () => removeAgentDirs(run, busy),
    () => removeStagingDirs(run, target.dirs),
  ]
  // One step failing (say, nft refusing) must not keep the others from cleaning what they can.
  for (const step of steps) {
    try {
      const done = await step()
      report.removed.push(...done.removed)
      report.errors.push(...done.errors)
    } catch (err) {
      report.errors.push((err as Error).message)
    }
  }
}

async function removeFirewallLeftovers(run: RunCommand): Promise<StepReport> {
  const report: StepReport = { removed: [], errors: [] }
  for (const name of await listLeftovers(run)) {
    try {
      report.removed.push(...(await removeHoles(run, name)).map((what) => `removed ${what}`))
    } catch (err) {
      report.errors.push((err as Error).message)
    }
  }
  return report
}
