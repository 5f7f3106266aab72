import { posix } from 'node:path'
import { isFanoutError } from '../../shared/errors.js'
import { firewallName } from '../../shared/firewall/ruleset.js'
import type { AgentReport, FromBase, PayloadEnd, SwarmSettings } from '../../shared/messages.js'
import type { PeerIdentity } from '../../shared/peer-id.js'
import { stagingName, type TransferPlan } from '../core/plan.js'
import { type SiteLayout, SOURCE_SITE } from '../core/sites.js'
import { backupCapacity } from '../core/source-kind.js'
import type { AgentChannel } from './agent-channel.js'
import { decideSites } from './decide-sites.js'
import { firewallPlan, localDataAddress } from './host-addresses.js'
import { PieceHashRelay } from './piece-hash-relay.js'
import { guardReplication } from './replication-guard.js'
import { landedDetails, type SessionDeps, unpackOrders, usageOf } from './session-deps.js'
import { judgeSourceLoss } from './source-loss.js'
import { startAgent } from './start-agent.js'
import { type TargetRun, targetRuns } from './target-run.js'
import type { TransferState } from './transfer-state.js'
import { watchForStall } from './watch-for-stall.js'

type Seeding = Extract<AgentReport, { type: 'seeding' }>

export interface SwarmDeps extends SessionDeps {
  /** The sites known before anything connected: from `--topology`, or one site. */
  sites: SiteLayout
  /** Infer the sites from round-trip times to the source once the target agents are up. */
  inferSites: boolean
}

/**
 * Runs the swarm: the source agent seeds while it hashes, and its hashes are relayed to the
 * targets (PieceHashRelay); every target agent starts, measures its
 * round-trip time to the source if the sites must be inferred, then downloads (and uploads to the
 * others) once its site and placement are known; each target that holds every verified piece is
 * finalized at once and goes on sharing from its landed copy, so no target stops sharing while
 * another still needs its pieces; the source stops once every target is complete or failed. The decided sites go to `state.sites`. Per-target
 * failures are recorded in `state`; only a source failure ends everyone's transfer.
 */
export async function runSwarm(plan: TransferPlan, deps: SwarmDeps): Promise<void> {
  const { state } = deps
  const swarm = await swarmSettings(plan, deps)
  const agentDeps: AgentDeps = { ...deps, swarm }
  const targets = targetRuns(plan.targets)
  // Target agents start while the source hashes: shipping and starting them takes a second or two
  // that would otherwise come after the hashing. startTarget records its own failures, never throws.
  const peerName = namePeers(plan, targets)
  const starting = Promise.all(targets.map((target) => startTarget(target, peerName, agentDeps)))
  const hashes = new PieceHashRelay()
  const source = await startSource(plan, hashes, agentDeps)
  // A hot backup's end reaches every target after its last hashes: both travel the same channel.
  const ended: Promise<PayloadEnd> =
    deps.backup === null ? new Promise(() => {}) : source.channel.next('payloadEnd', deps.signal)
  ended
    .then(
      (end) => deps.state.backupEnded(end.bytes),
      () => {},
    )
    .catch(async (err: unknown) => {
      // Let every target agent finish starting, so that cleanup knows of each one and stops it.
      await starting
      throw err
    })
  // Judged once for every target: the swarm may well finish without its source (source-loss.ts).
  // Set once every target is complete or failed: the source's exit is then the one asked for.
  let sourceDone = false
  const sourceLost = source.channel.failure(deps.signal).catch((err: unknown) =>
    sourceDone
      ? new Promise<never>(() => {})
      : judgeSourceLoss(err, targets, {
          ...deps,
          growingEnded: deps.backup === null ? null : state.backupEnd !== undefined,
        }),
  )
  sourceLost.catch(() => {})
  await starting
  state.setPhase('transferring')
  state.sites = await decideSites(targets, source.seeding.trackerUrl, deps)
  const landing: Promise<void>[] = []
  await Promise.all(
    targets.map(async (target) => {
      const relay = { hashes, ended }
      if (await fetchOnTarget(plan, target, source.seeding, relay, sourceLost, agentDeps)) {
        landing.push(finalizeTarget(target, deps))
      }
    }),
  )
  state.setPhase('finalizing')
  // Every target holds every piece or has failed: nobody needs the source any more, and its
  // teardown (leaving the swarm, its tracker, its firewall holes) overlaps the last targets'
  // landing instead of following it.
  sourceDone = true
  const sourceStopped = source.channel.close()
  await Promise.all(landing)
  await sourceStopped
}

/**
 * Lands a complete target's copy at once, whatever the others do: a fast target is done in its own
 * time, not the slowest one's. Its agent keeps serving the others from the landed copy until the
 * run ends and every agent is stopped.
 */
async function finalizeTarget({ index, channel }: TargetRun, deps: SwarmDeps): Promise<void> {
  if (channel === undefined) return
  try {
    channel.send({ type: 'finalize' })
    const finalized = await channel.next('finalized', deps.signal)
    deps.state.update(index, { state: 'done', finalPath: finalized.path, ...landedDetails(finalized) })
    await deps.links.landed(index, channel)
  } catch (err) {
    recordFailure(deps.state, index, err)
  }
}

type AgentDeps = SwarmDeps & { swarm: SwarmSettings }

/** How every agent joins: decided here once and sent to each as it is. */
async function swarmSettings(plan: TransferPlan, deps: SwarmDeps): Promise<SwarmSettings> {
  const { config } = deps
  return {
    transferId: plan.transferId,
    security: { key: deps.swarmKey.toString('base64'), encrypt: config.encrypt },
    bwlimit: config.bwlimit,
    firewall: config.firewall ? await firewallPlan(plan, deps) : null,
  }
}

async function startSource(
  plan: TransferPlan,
  hashes: PieceHashRelay,
  deps: AgentDeps,
): Promise<{ channel: AgentChannel; seeding: Seeding }> {
  const exec = await deps.pool.get(plan.source, deps.signal)
  const watchReplication = guardReplication(plan.source, deps.backup, deps)
  const channel = await startAgent(exec, plan.source.host === null, agentOptions(deps))
  watchReplication(channel)
  channel.on('report', (report) => {
    if (report.type === 'usage') deps.state.usage.push(usageOf(plan.source.spec, 'source', report))
    if (report.type === 'warning') deps.state.warnings.push(`${plan.source.spec}: ${report.message}`)
    if (report.type === 'scanned') deps.state.setHashed(0, report.bytes)
    if (report.type === 'hashing') deps.state.setHashed(report.hashedBytes, report.totalBytes)
    if (report.type === 'pieceHashes') hashes.add(report)
  })
  deps.state.setPhase('hashing')
  const { backup } = deps
  channel.send({
    type: 'seed',
    swarm: deps.swarm,
    sourcePath: plan.source.path,
    ...(deps.incremental ? { incremental: true } : {}),
    ...(backup === null ? {} : { backup: { ...backup, capacity: backupCapacity(deps.state.totalBytes) } }),
    dataAddress: plan.source.host === null ? await localDataAddress(plan, deps) : exec.dataAddress,
    site: SOURCE_SITE,
  })
  // Comes before the hashing, which goes on while the targets fetch.
  const seeding = await channel.next('seeding', deps.signal)
  for (const skipped of seeding.manifest.skipped) {
    deps.state.warnings.push(`not copied: ${skipped.path || plan.name} is a ${skipped.reason}`)
  }
  return { channel, seeding }
}

/** Starts the target's agent into `target.channel`; on failure records it and leaves it unset. */
async function startTarget(
  target: TargetRun,
  peerName: (peer: PeerIdentity | null) => string,
  deps: AgentDeps,
): Promise<void> {
  const { index, endpoint } = target
  try {
    deps.state.update(index, { state: 'starting' })
    const exec = await deps.pool.get(endpoint, deps.signal)
    const channel = await startAgent(exec, endpoint.host === null, agentOptions(deps))
    channel.on('report', (report) => {
      if (report.type === 'progress') deps.state.update(index, keepCompleteCount(deps.state, index, report))
      if (report.type === 'usage') deps.state.usage.push(usageOf(endpoint.spec, 'target', report))
      if (report.type === 'warning') deps.state.warnings.push(`${endpoint.spec}: ${report.message}`)
      if (report.type === 'fromBase') noteFromBase(deps, index, report)
      if (report.type === 'peerDropped') {
        const { peer, address, failedPieces } = report
        deps.state.warnings.push(
          `${endpoint.spec} dropped ${peerName(peer)}${address === null ? '' : ` (${address})`}: ` +
            `${failedPieces} pieces it sent failed their hash check; they came from other peers`,
        )
      }
    })
    target.channel = channel
  } catch (err) {
    recordFailure(deps.state, index, err)
  }
}

/** Keeps what a target took from its base; one without the base gets every byte, and is told so. */
function noteFromBase(deps: AgentDeps, index: number, { found, files, bytes }: FromBase): void {
  deps.state.update(index, { fromBase: { found, files, bytes } })
  if (found) return
  const target = deps.state.targets[index]?.target
  deps.state.warnings.push(`${target}: no base ${deps.config.base} there, so it received every byte`)
}

/** How the summary names a peer from its peer id: the endpoint given for it, once placed. */
function namePeers(plan: TransferPlan, targets: readonly TargetRun[]): (peer: PeerIdentity | null) => string {
  return (peer) => {
    if (peer === null) return 'a peer that is not one of this transfer'
    if (peer.role === 'source') return `the source ${plan.source.spec}`
    const named = targets.find(
      ({ placement }) => placement?.site === peer.site && placement.rank === peer.rank,
    )
    return named === undefined ? `the target of site ${peer.site}, rank ${peer.rank}` : named.endpoint.spec
  }
}

/** Resolves true once the target holds every piece; false (and the failure recorded) if it failed. */
async function fetchOnTarget(
  plan: TransferPlan,
  target: TargetRun,
  seeding: Seeding,
  relay: { hashes: PieceHashRelay; ended: Promise<PayloadEnd> },
  sourceLost: Promise<never>,
  deps: AgentDeps,
): Promise<boolean> {
  const { index, endpoint, channel, placement } = target
  if (channel === undefined || placement === undefined) return false
  let stopWatching = () => {}
  try {
    deps.state.update(index, { state: 'downloading' })
    channel.send({
      type: 'fetch',
      swarm: deps.swarm,
      torrent: seeding.torrent,
      manifest: seeding.manifest,
      targetDir: endpoint.path,
      stagingName: stagingName(seeding.contentId, plan.transferId),
      trackerUrl: seeding.trackerUrl,
      placement,
      checksum: deps.config.checksum,
      ...(deps.config.base === undefined ? {} : { base: posix.resolve(endpoint.path, deps.config.base) }),
      ...unpackOrders(deps),
      ...(deps.backup === null ? {} : { growing: true }),
      ...(deps.corruptForTest === true ? { corruptForTest: true } : {}),
    })
    if (seeding.torrent !== null) {
      relay.hashes.follow((batch) => channel.send({ type: 'pieceHashes', ...batch }))
    }
    if (deps.backup !== null) {
      relay.ended.then(
        (end) => channel.send({ type: 'payloadEnd', bytes: end.bytes, pieces: end.pieces }),
        () => {},
      )
    }
    const stall = watchForStall(() => deps.state.targets[index]?.downloaded ?? 0, deps.config.stallTimeoutMs)
    stopWatching = stall.stop
    const complete = await Promise.race([channel.next('complete', deps.signal), sourceLost, stall.stalled])
    deps.state.update(index, {
      state: 'complete',
      downloaded: complete.bytes,
      ...(complete.received === undefined ? {} : { received: complete.received }),
    })
    return true
  } catch (err) {
    recordFailure(deps.state, index, err)
    return false
  } finally {
    stopWatching()
  }
}

/**
 * Once a target is complete its byte count is the payload's: webtorrent's own counter goes on to
 * include pieces received twice and a growing payload's padding, which no one asked about.
 */
function keepCompleteCount<T extends { downloaded: number }>(
  state: TransferState,
  index: number,
  progress: T,
): T {
  const target = state.targets[index]
  const settled = target !== undefined && (target.state === 'complete' || target.state === 'done')
  return settled ? { ...progress, downloaded: target.downloaded } : progress
}

function agentOptions(deps: AgentDeps) {
  const { cleanup, log, swarm, config } = deps
  return {
    cleanup,
    log,
    agentIdleTimeoutMs: config.agentIdleTimeoutMs,
    firewallName: swarm.firewall === null ? undefined : firewallName(swarm.transferId),
  }
}

function recordFailure(state: TransferState, index: number, err: unknown): void {
  if (!isFanoutError(err)) throw err
  state.fail(index, err)
}
