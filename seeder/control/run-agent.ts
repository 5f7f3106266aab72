import { tmpdir } from 'node:os'
import { createInterface } from 'node:readline'
import type { Logger } from 'pino'
import { FanoutError } from '../../shared/errors.js'
import type { AgentCommand, ServedCounts } from '../../shared/messages.js'
import { switchLink } from '../place/switch-link.js'
import type { TargetRole } from '../roles/fetch-target.js'
import { probeRtt } from '../roles/probe-rtt.js'
import { receiveStream, type StreamTargetRole } from '../roles/receive-stream.js'
import type { SourceRole } from '../roles/seed-source.js'
import { backupStreamSource } from '../roles/send-backup-stream.js'
import { type StreamSourceRole, scanStreamSource } from '../roles/send-stream.js'
import { atMost } from './deadline.js'
import { errorCodeOf } from './error-code.js'
import type { Report } from './report.js'

export interface AgentIo {
  input: NodeJS.ReadableStream
  report: Report
  log: Logger
  /** Silence on the channel for this long means the orchestrator is gone. */
  idleTimeoutMs: number
  /** Where roles keep scratch files: the agent's own directory when shipped (removed as it ends). */
  workDir?: string | undefined
}

/**
 * Serves one transfer: reads commands until `stop` or until its channel closes, and always leaves
 * the swarm before returning. The channel closing is the orchestrator vanishing (SSH cut, kill -9):
 * the agent must not outlive it.
 */
/** Longest an agent spends leaving the swarm and closing its ports once told to stop. */
const STOP_MS = 20_000

export async function runAgent({ input, report, log, idleTimeoutMs, workDir }: AgentIo): Promise<void> {
  let role: SourceRole | TargetRole | StreamSourceRole | StreamTargetRole | undefined
  let source: SourceRole | undefined
  let target: TargetRole | StreamTargetRole | undefined
  let streamSource: StreamSourceRole | undefined
  // Hashing a large source takes minutes; the channel closing must cut it short, not wait for it.
  const gone = new AbortController()
  input.once('end', () => gone.abort())
  input.once('close', () => gone.abort())
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })
  // A cut link can leave sshd unaware for hours, so the channel never closes; silence is the signal.
  // Counted as lines arrive, not as the loop reads them: the loop waits while a command (hashing a
  // large source) runs, and pings queued behind it still prove the orchestrator alive.
  let lastHeard = Date.now()
  lines.on('line', () => {
    lastHeard = Date.now()
  })
  const watchdog = setInterval(
    () => {
      if (Date.now() - lastHeard < idleTimeoutMs) return
      log.warn({ idleTimeoutMs }, 'no word from the orchestrator; cleaning up')
      gone.abort()
      lines.close()
    },
    Math.min(1000, idleTimeoutMs),
  )
  watchdog.unref()
  try {
    for await (const line of lines) {
      if (line.trim() === '') continue
      const command = JSON.parse(line) as AgentCommand
      log.debug({ type: command.type }, 'command')
      if (command.type === 'stop') break
      if (command.type === 'ping') continue
      try {
        if (command.type === 'seed') {
          // The swarm's roles (webtorrent, the tracker) load when first asked for: a stream's agents
          // never need them, and evaluating them cost every agent's start about 90 ms.
          if (command.backup === undefined) {
            const { seedSource } = await import('../roles/seed-source.js')
            role = source = await seedSource(command, report, log, gone.signal)
          } else {
            const { seedBackup } = await import('../roles/seed-backup.js')
            const io = { report, log, signal: gone.signal }
            role = source = await seedBackup(command, command.backup, workDir ?? tmpdir(), io)
          }
          source.hashed.catch((err: unknown) =>
            report({ type: 'error', code: errorCodeOf(err), message: (err as Error).message }),
          )
        } else if (command.type === 'fetch') {
          const { fetchTarget } = await import('../roles/fetch-target.js')
          role = target = await fetchTarget(command, report, log)
        } else if (command.type === 'scan') {
          role = streamSource =
            command.backup === undefined
              ? await scanStreamSource(command.sourcePath, report, log)
              : backupStreamSource(command.backup, workDir ?? tmpdir(), { log, report })
          report({ type: 'manifest', manifest: streamSource.manifest })
        } else if (command.type === 'send') {
          if (streamSource === undefined) throw new FanoutError('AGENT_PROTOCOL', 'send without a scan')
          // In the background: the channel must stay free for `stop` while the stream runs.
          streamSource
            .send(command)
            .then(report, (err: unknown) =>
              report({ type: 'error', code: errorCodeOf(err), message: (err as Error).message }),
            )
        } else if (command.type === 'receive') {
          const receiving = await receiveStream(command, report, log)
          role = target = receiving
          report({ type: 'listening', port: receiving.port })
        } else if (command.type === 'payloadEnd') {
          if (target === undefined || !('payloadEnd' in target)) {
            throw new FanoutError('AGENT_PROTOCOL', 'a payload end without a fetch')
          }
          target.payloadEnd(command)
        } else if (command.type === 'pieceHashes') {
          if (target === undefined) throw new FanoutError('AGENT_PROTOCOL', 'piece hashes without a fetch')
          await target.learnPieceHashes(command)
        } else if (command.type === 'probe') report(await probeRtt(command))
        else if (command.type === 'finalize') {
          if (target === undefined) throw new FanoutError('AGENT_PROTOCOL', 'finalize without a fetch')
          // In the background: a read-back of terabytes must not keep `holdings` waiting.
          target.finalize().then(
            (finalized) => report({ type: 'finalized', ...finalized }),
            (err: unknown) =>
              report({ type: 'error', code: errorCodeOf(err), message: (err as Error).message }),
          )
        } else if (command.type === 'link') {
          // Whatever the role: the copy is in place by now, and when to switch is the orchestrator's
          // call (--link-when).
          report({ type: 'linked', ...(await switchLink(command)) })
        } else if (command.type === 'holdings') {
          if (target === undefined || !('holdings' in target)) {
            throw new FanoutError('AGENT_PROTOCOL', 'holdings without a swarm fetch')
          }
          report({ type: 'holdings', ...target.holdings() })
        }
      } catch (err) {
        report({ type: 'error', code: errorCodeOf(err), message: (err as Error).message })
      }
    }
  } finally {
    clearInterval(watchdog)
    lines.close()
    // Each step of a role's stop has its own deadline; this one is for whatever has none.
    await atMost(STOP_MS, role?.stop())
    reportUsage(report, source?.served() ?? null)
  }
}

function reportUsage(report: Report, served: ServedCounts | null): void {
  const usage = process.resourceUsage()
  // resourceUsage() gives CPU in microseconds and maxRSS in KiB.
  report({
    type: 'usage',
    cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
    maxRssBytes: usage.maxRSS * 1024,
    ...(served === null ? {} : { served }),
  })
}
