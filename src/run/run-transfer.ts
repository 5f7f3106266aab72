import { randomBytes, randomUUID } from 'node:crypto'
import { setMaxListeners } from 'node:events'
import type { Logger } from 'pino'
import { type FanoutCode, FanoutError, isFanoutError } from '../../shared/errors.js'
import type { FromBase } from '../../shared/messages.js'
import type { Config } from '../config/defaults.js'
import type { ReplicationStart } from '../core/backup-position.js'
import type { Problem } from '../core/checks.js'
import { chooseTransport } from '../core/choose-transport.js'
import { checkLinkName, type LinkOutcome } from '../core/link-verdicts.js'
import { planTransfer, type TransferPlan } from '../core/plan.js'
import type { ProgressSnapshot, TargetProgress } from '../core/progress.js'
import { reportSites, type SitesReport } from '../core/sites.js'
import { CleanupStack } from './cleanup-stack.js'
import { type ExecutorFactory, HostPool } from './host-pool.js'
import { LinkSwitch } from './link-switch.js'
import { loadSites } from './load-sites.js'
import { type NeededCommand, preflight } from './preflight.js'
import type { SessionDeps } from './session-deps.js'
import { type HeadStart, type LaunchDeps, startFirstPair } from './stream-agents.js'
import { runStreams } from './stream-session.js'
import { runSwarm } from './swarm-session.js'
import { type AgentUsage, type BackupEnd, type SourceLoss, TransferState } from './transfer-state.js'

/** What to copy where, as the user wrote it. */
export interface TransferRequest {
  source: string
  targets: readonly string[]
  /** Resolves bare relative paths and the topology file. */
  cwd: string
}

/** What a run uses besides its settings: adapters, logging, cancellation, and where progress goes. */
export interface RunDeps {
  createExecutor: ExecutorFactory
  log: Logger
  signal: AbortSignal
  onProgress: (snapshot: ProgressSnapshot) => void
  clock?: () => number
  /** The transfer's secret; made fresh for every run unless a test must know it to look for leaks. */
  swarmKey?: Buffer
  /** Test hook (stream): each target flips a byte of what it wrote before reading it back. */
  corruptForTest?: boolean
}

/** How one target ended. */
export interface TargetResult {
  target: string
  status: 'ok' | 'failed' | 'aborted' | 'not-started'
  /** Payload bytes this target received. */
  bytes: number
  /** From the start of the run to the copy being in place (or to the failure). */
  seconds: number
  /** The final path of the copy, when status is 'ok'. */
  path?: string
  /** Stream only: bytes that crossed the network (after compression) for this target. */
  wireBytes?: number
  /** With --checksum: seconds the target spent re-reading its copy from disk to check it. */
  readBackSeconds?: number
  /** Swarm: payload bytes that came over the network (the rest came from a base, or was resumed). */
  received?: number
  /** With --base: the files and bytes this target copied from its base instead of receiving them. */
  fromBase?: FromBase
  /** A MariaDB backup's copy: its binlog position and GTID, for starting a replica on it. */
  replication?: ReplicationStart
  /** With `--link`: whether this target's link now points at the copy, and if not, why. */
  link?: LinkOutcome
  error?: { code: FanoutCode; message: string }
}

export interface TransferResult {
  /** 'preflight-failed': a check failed and nothing moved anywhere. */
  outcome: 'ok' | 'preflight-failed' | 'failed' | 'aborted'
  transferId: string
  /** How the bytes travelled: one stream per target in turn, or the swarm. */
  transport: 'stream' | 'swarm'
  source: string
  bytes: number
  seconds: number
  targets: TargetResult[]
  /** Problems found before any data moved, one per endpoint and cause. */
  problems: Problem[]
  /** Cleanup steps that failed: what may be left on a host. */
  leftovers: string[]
  /** What the user should know although it did not fail the transfer. */
  warnings: string[]
  /** CPU seconds and peak memory of each agent, from its own report as it exited. */
  usage: AgentUsage[]
  /** Which site (datacenter) each endpoint was put in, and whether from a file or measured. */
  sites: SitesReport
  /** A hot backup (`--type xtrabackup` from a socket): its size, end, and the overlap; with the stream to several targets, the first target's backup. */
  backup?: BackupEnd
  /** The swarm's source was lost while targets still fetched: when, why, and what they held then. */
  sourceLost?: SourceLoss
}

/** Checks, transfers, finalizes and cleans up; every resource made is undone before returning. */
export async function runTransfer(
  request: TransferRequest,
  config: Readonly<Config>,
  deps: RunDeps,
): Promise<TransferResult> {
  const clock = deps.clock ?? Date.now
  const { signal } = deps
  // Every pending wait on every target listens for the abort; 12 targets would pass Node's default
  // warning threshold of 10 although nothing leaks (each listener goes when its wait ends).
  setMaxListeners(Number.POSITIVE_INFINITY, signal)
  const plan = planTransfer({ ...request, transferId: randomUUID() })
  const transport = chooseTransport(config.transport, plan.targets.length, {
    incremental: config.base !== undefined,
  })
  const log = deps.log.child({ transfer: plan.transferId })
  checkLinkName(config.link, plan.name)
  // A bad topology file is a usage error, found before any host is touched.
  const { sites, infer } = await loadSites(plan, config.topologyPath, request.cwd)
  const state = new TransferState(
    plan.targets.map((t) => t.spec),
    clock(),
    clock,
    deps.onProgress,
  )
  state.sites = sites
  const cleanup = new CleanupStack(log)
  const pool = new HostPool(deps.createExecutor)
  cleanup.defer('close connections', () => pool.closeAll())
  const links = new LinkSwitch(plan, { config, state, signal, cleanup, pool })
  let problems: Problem[] = []
  try {
    const headStart = streamHeadStart(transport, plan, { pool, log, signal, config, cleanup, links })
    const checked = await preflight(
      plan,
      pool,
      {
        type: config.type,
        stopSlave: config.stopSlave,
        archiveKept: transport === 'swarm',
        commands: commandsNeeded(transport, config),
        link: config.link,
        base: config.base,
        targetCommands: config.prepare ? [{ command: 'mariadb-backup', neededBy: '--prepare' }] : [],
      },
      signal,
    )
    problems = checked.problems
    state.totalBytes = checked.payloadBytes
    log.debug({ problems: problems.length, transport }, 'pre-flight done')
    const swarmKey = deps.swarmKey ?? randomBytes(32)
    const session: SessionDeps = {
      pool,
      cleanup,
      state,
      log,
      signal,
      config,
      swarmKey,
      archive: checked.archive,
      backup: checked.backupOf === null ? null : { ...checked.backupOf, stopSlave: config.stopSlave },
      links,
      incremental: config.base !== undefined && checked.basesFound > 0,
    }
    if (deps.corruptForTest === true) session.corruptForTest = true
    if (problems.length === 0 && !signal.aborted && transport === 'stream') {
      await runStreams(plan, session, headStart)
    } else if (problems.length === 0 && !signal.aborted) {
      await runSwarm(plan, { ...session, sites, inferSites: infer })
    }
    if (problems.length === 0) await links.settle()
  } catch (err) {
    // Only a source failure gets here; it fails every target that had not finished.
    const failure = asFanoutError(err, signal)
    state.targets.forEach((target, index) => {
      if (target.state !== 'done' && target.error === undefined) state.fail(index, failure)
    })
  }
  const leftovers = await cleanup.unwind()
  state.setPhase('done')
  const result = summarize(plan.transferId, request.source, state, problems, leftovers, signal.aborted)
  // A run stopped by its pre-flight switched nothing and had nothing to switch.
  const linked = problems.length > 0 ? [] : links.results()
  return { ...result, transport, targets: result.targets.map((t, i) => withLink(t, linked[i])) }
}

function withLink(target: TargetResult, link: LinkOutcome | undefined): TargetResult {
  return link === undefined ? target : { ...target, link }
}

/**
 * The first stream's agents start while the pre-flight runs (stream-agents.ts). Not for a hot
 * backup: its source's replication guard must be in place before its agent starts, and a backup
 * takes minutes, so its start would gain nothing.
 */
function streamHeadStart(
  transport: 'stream' | 'swarm',
  plan: TransferPlan,
  deps: LaunchDeps & { cleanup: CleanupStack; links: LinkSwitch },
): HeadStart | undefined {
  if (transport !== 'stream' || deps.config.type === 'xtrabackup') return undefined
  return startFirstPair(plan, { ...deps, holdsAgents: deps.links.holdsAgents })
}

/** Host commands a run needs besides node: the stream's zstd codec runs the hosts' own binary. */
function commandsNeeded(transport: 'stream' | 'swarm', config: Readonly<Config>): NeededCommand[] {
  const zstd = transport === 'stream' && config.compress && config.codec === 'zstd'
  return zstd ? [{ command: 'zstd', neededBy: '--codec zstd' }] : []
}

function asFanoutError(err: unknown, signal: AbortSignal): FanoutError {
  if (signal.aborted) return new FanoutError('ABORTED', 'interrupted', {}, { cause: err })
  if (isFanoutError(err)) return err
  throw err
}

function summarize(
  transferId: string,
  source: string,
  state: TransferState,
  problems: Problem[],
  leftovers: string[],
  aborted: boolean,
): Omit<TransferResult, 'transport'> {
  const targets = state.targets.map((t, index) =>
    targetResult(t, state.secondsFor(index), problems.length > 0),
  )
  const allOk = problems.length === 0 && targets.every((t) => t.status === 'ok')
  const outcome = allOk ? 'ok' : problems.length > 0 ? 'preflight-failed' : aborted ? 'aborted' : 'failed'
  const seconds = state.snapshot().elapsedMs / 1000
  const warnings = [...state.warnings]
  return {
    outcome,
    transferId,
    source,
    bytes: state.totalBytes,
    seconds,
    targets,
    problems,
    leftovers,
    warnings,
    usage: [...state.usage],
    ...(state.backupEnd === undefined ? {} : { backup: state.backupEnd }),
    ...(state.sourceLost === undefined ? {} : { sourceLost: state.sourceLost }),
    sites: reportSites(
      state.sites,
      state.targets.map((t) => t.target),
    ),
  }
}

function targetResult(progress: TargetProgress, seconds: number, preflightFailed: boolean): TargetResult {
  const base = {
    target: progress.target,
    bytes: progress.downloaded,
    seconds,
    ...(progress.wireBytes === undefined ? {} : { wireBytes: progress.wireBytes }),
    ...(progress.readBackSeconds === undefined ? {} : { readBackSeconds: progress.readBackSeconds }),
    ...(progress.replication === undefined ? {} : { replication: progress.replication }),
    ...(progress.received === undefined ? {} : { received: progress.received }),
    ...(progress.fromBase === undefined ? {} : { fromBase: progress.fromBase }),
  }
  if (progress.state === 'done') {
    return {
      ...base,
      status: 'ok',
      ...(progress.finalPath === undefined ? {} : { path: progress.finalPath }),
    }
  }
  if (progress.error !== undefined) {
    return { ...base, status: progress.state === 'aborted' ? 'aborted' : 'failed', error: progress.error }
  }
  return { ...base, status: preflightFailed ? 'not-started' : 'failed' }
}
