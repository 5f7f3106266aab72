import { FanoutError, isFanoutError } from '../../shared/errors.js'
import type { AgentReport, StreamSettings } from '../../shared/messages.js'
import { isCompressed } from '../core/archive-format.js'
import type { Endpoint } from '../core/endpoint.js'
import { stagingName, type TransferPlan } from '../core/plan.js'
import type { AgentChannel } from './agent-channel.js'
import { localDataAddress } from './host-addresses.js'
import { guardReplication } from './replication-guard.js'
import { landedDetails, type SessionDeps, unpackOrders, usageOf } from './session-deps.js'
import { type HeadStart, type Launched, launchStreamAgent, stacksFor } from './stream-agents.js'
import { watchForStall } from './watch-for-stall.js'

/**
 * Compatibility mode: the source streams to each target in turn over one connection, as
 * transfer.py does, with the same agents, checks, staging and rename as the swarm. Each target gets
 * a fresh pair of agents, so a failed stream can leave nothing half-done behind for the next.
 * Failures are recorded per target in `state`.
 */
export async function runStreams(
  plan: TransferPlan,
  deps: SessionDeps,
  headStart?: HeadStart,
): Promise<void> {
  deps.state.setPhase('transferring')
  for (const [index, endpoint] of plan.targets.entries()) {
    if (deps.signal.aborted) {
      deps.state.fail(index, new FanoutError('ABORTED', 'interrupted'))
      continue
    }
    const early = index === 0 ? headStart : undefined
    const { pair, kept } = early ?? stacksFor(endpoint, deps.cleanup, deps.links.holdsAgents)
    // Before the source's agent starts, so that it unwinds after the agent stopped. A head start
    // never has a backup to guard (startFirstPair), so its agent registered first changes nothing.
    const watchReplication = guardReplication(plan.source, deps.backup, { ...deps, cleanup: pair })
    const launched = {
      source: early?.source ?? launchStreamAgent(plan, plan.source, 'source', deps, pair),
      target: early?.target ?? launchStreamAgent(plan, endpoint, 'target', deps, kept),
      watchReplication,
    }
    try {
      const target = await streamTo(plan, index, endpoint, launched, deps)
      await deps.links.landed(index, target)
    } catch (err) {
      if (!isFanoutError(err)) throw err
      deps.state.fail(index, deps.signal.aborted ? new FanoutError('ABORTED', 'interrupted') : err)
      if (kept !== pair) await kept.unwind()
    } finally {
      await pair.unwind()
    }
  }
  deps.state.setPhase('finalizing')
}

/** Streams one copy and lands it; resolves with the target's agent, started on `targetCleanup`. */
async function streamTo(
  plan: TransferPlan,
  index: number,
  endpoint: Endpoint,
  launched: {
    source: Promise<Launched>
    target: Promise<Launched>
    watchReplication: (channel: AgentChannel) => void
  },
  deps: SessionDeps,
): Promise<AgentChannel> {
  const { state, signal } = deps
  state.update(index, { state: 'starting' })
  // The source scans while the target's agent is still starting: both are on the critical path of
  // every single copy, and a stream's fixed cost decides how it compares with `tar | nc`.
  const sourceUp = adopt(plan, plan.source, 'source', launched.source, deps)
  const scanned = sourceUp.then((source) => {
    launched.watchReplication(source.channel)
    source.channel.send({
      type: 'scan',
      sourcePath: plan.source.path,
      ...(deps.backup === null ? {} : { backup: deps.backup }),
    })
    return source.channel.next('manifest', signal)
  })
  scanned.catch(() => {})
  const targetUp = adopt(plan, endpoint, 'target', launched.target, deps)
  const [source, target] = await Promise.all([sourceUp, targetUp])
  target.channel.on('report', (report) => {
    if (report.type === 'progress') state.update(index, report)
  })
  source.channel.on('report', (report) => {
    if (report.type === 'pieceHashes') target.channel.send(report)
  })
  const { manifest } = await scanned
  deps.log.debug({ target: endpoint.spec }, 'stream: agents up, source scanned')
  const stream = streamSettings(plan, endpoint, deps, [source.address, target.address])
  target.channel.send({
    type: 'receive',
    stream,
    manifest,
    targetDir: endpoint.path,
    stagingName: stagingName(null, plan.transferId),
    address: target.address,
    port: deps.config.port,
    sourceAddress: source.address,
    ...unpackOrders(deps),
    ...(deps.corruptForTest === true ? { corruptForTest: true } : {}),
  })
  const { port } = await target.channel.next('listening', signal)
  deps.log.debug({ target: endpoint.spec, port }, 'stream: target listening')
  state.update(index, { state: 'downloading' })
  source.channel.send({
    type: 'send',
    stream,
    address: target.address,
    port,
    ...(deps.archive === null ? {} : { raw: true }),
  })
  const stall = watchForStall(() => state.targets[index]?.downloaded ?? 0, deps.config.stallTimeoutMs)
  const completed = target.channel.next('complete', signal)
  completed.catch(() => {})
  try {
    const [sent, complete] = await Promise.race([
      Promise.all([source.channel.next('sent', signal), completed]).catch((err: unknown) =>
        targetSideFirst(err, completed),
      ),
      stall.stalled,
    ])
    checkInFlight(sent, complete)
    deps.log.debug(
      { target: endpoint.spec, bytes: complete.bytes, wireBytes: sent.wireBytes },
      'stream: complete',
    )
    state.update(index, { state: 'complete', downloaded: complete.bytes, wireBytes: sent.wireBytes })
    // A hot backup's size is known only now; until then the datadir's stood in for it.
    // Each target of a stream gets a backup of its own; the summary describes the first.
    if (deps.backup !== null && index === 0) state.backupEnded(complete.bytes, [index])
  } finally {
    stall.stop()
  }
  target.channel.send({ type: 'finalize' })
  const finalized = await target.channel.next('finalized', signal)
  deps.log.debug({ target: endpoint.spec }, 'stream: landed')
  state.update(index, {
    state: 'done',
    finalPath: finalized.path,
    ...landedDetails(finalized),
  })
  return target.channel
}

/** How long a target's own reason may trail the source's after a broken stream. */
const REASON_GRACE_MS = 2_000

/**
 * A stream that breaks fails on both ends: the side that broke it knows why (ENOSPC on the target,
 * a file gone on the source), the other sees only the connection reset. The target's reason is
 * usually the one a user can act on, and arrives a moment after the source's.
 */
async function targetSideFirst(err: unknown, completed: Promise<Complete>): Promise<never> {
  let timer: NodeJS.Timeout | undefined
  const grace = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, REASON_GRACE_MS)
  })
  const targetReason = await Promise.race([
    completed.then(
      () => undefined,
      (e: unknown) => e,
    ),
    grace,
  ])
  clearTimeout(timer)
  const connectionOnly =
    isFanoutError(err) && /ECONNRESET|EPIPE|socket hang up|premature close/i.test(err.message)
  throw connectionOnly && targetReason !== undefined ? targetReason : err
}

type Sent = Extract<AgentReport, { type: 'sent' }>
type Complete = Extract<AgentReport, { type: 'complete' }>

/** transfer.py's parallel checksum: the bytes that left the source are the bytes that arrived. */
function checkInFlight(sent: Sent, complete: Complete): void {
  if (sent.streamDigest === null) return
  if (sent.streamDigest !== complete.streamDigest) {
    throw new FanoutError(
      'VERIFY_FAILED',
      `the stream's checksum differs: ${sent.streamDigest.slice(0, 16)}… sent, ${String(complete.streamDigest).slice(0, 16)}… received`,
    )
  }
}

/** Keeps a started agent's usage for the summary, and finds the address it is reached on. */
async function adopt(
  plan: TransferPlan,
  endpoint: Endpoint,
  role: 'source' | 'target',
  launched: Promise<Launched>,
  deps: SessionDeps,
): Promise<{ channel: AgentChannel; address: string }> {
  const { channel, exec } = await launched
  channel.on('report', (report) => {
    if (report.type === 'usage') deps.state.usage.push(usageOf(endpoint.spec, role, report))
  })
  const local = endpoint.host === null
  return { channel, address: local ? await localDataAddress(plan, deps) : exec.dataAddress }
}

function streamSettings(
  plan: TransferPlan,
  target: Endpoint,
  deps: SessionDeps,
  hosts: string[],
): StreamSettings {
  const { config, archive } = deps
  // An archive is unpacked as it arrives and never stored, so nothing can be read back: its bytes
  // are checked on the wire instead. One already compressed would only be compressed again.
  const readBack = config.checksum && archive === null
  const compress = config.compress && !(archive !== null && isCompressed(archive))
  // As for the swarm (host-addresses.ts): loopback needs no hole, and this machine's ruleset is not
  // touched; here only the two ends of this one stream count.
  const bothLocal = plan.source.host === null && target.host === null
  return {
    transferId: plan.transferId,
    security: { key: deps.swarmKey.toString('base64'), encrypt: config.encrypt },
    compress: compress ? config.codec : null,
    checksum: readBack ? 'read-back' : config.checksum || config.parallelChecksum ? 'in-flight' : 'none',
    bwlimit: config.bwlimit,
    firewall: config.firewall && !bothLocal ? { participants: [...new Set(hosts)] } : null,
  }
}
