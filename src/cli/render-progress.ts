import type { ProgressSnapshot, TargetProgress, TargetState } from '../core/progress.js'
import { formatBytes, formatDuration, formatRate, percent } from './format.js'

const BAR_WIDTH = 20
const RUNNING: ReadonlySet<TargetState> = new Set(['checking', 'starting', 'downloading'])

/** The live display's lines for one snapshot: a header for the whole transfer, one line per target. */
export function renderLive(snapshot: ProgressSnapshot, width: number): string[] {
  return [headline(snapshot), ...snapshot.targets.map((t) => targetLine(t, snapshot.totalBytes))].map(
    (line) => (line.length > width ? `${line.slice(0, Math.max(0, width - 1))}…` : line),
  )
}

/** One line for logs and non-terminals, printed every few seconds. */
export function renderPlain(snapshot: ProgressSnapshot): string {
  const done = snapshot.targets.filter((t) => t.state === 'done' || t.state === 'complete').length
  const failed = snapshot.targets.filter((t) => t.state === 'failed').length
  // Only a target still on its way can be the slowest: a failed one stopped where it failed.
  const running = snapshot.targets.filter((t) => RUNNING.has(t.state))
  const least = Math.min(...running.map((t) => t.downloaded))
  return [
    `[${formatDuration(snapshot.elapsedMs / 1000)}] ${snapshot.phase}`,
    phaseDetail(snapshot),
    `${done}/${snapshot.targets.length} targets complete${failed > 0 ? `, ${failed} failed` : ''}`,
    running.length === 0 ? '' : `slowest ${formatBytes(least)} of ${formatBytes(snapshot.totalBytes)}`,
    `${formatRate(snapshot.rate)} total`,
  ]
    .filter((part) => part !== '')
    .join(', ')
}

function headline(s: ProgressSnapshot): string {
  const eta = s.etaSeconds === null ? '' : `  ETA ${formatDuration(s.etaSeconds)}`
  const detail = phaseDetail(s)
  return `fanout ${s.phase}${detail ? ` (${detail})` : ''}  ${formatBytes(s.totalBytes)} → ${s.targets.length} targets  ${formatRate(s.rate)}${eta}  elapsed ${formatDuration(s.elapsedMs / 1000)}`
}

/** The source hashes while the targets already fetch, so hashing can still be under way. */
function phaseDetail(s: ProgressSnapshot): string {
  const hashing = s.phase === 'hashing' || (s.phase === 'transferring' && s.hashedBytes < s.totalBytes)
  return hashing ? `hashed ${percent(s.hashedBytes, s.totalBytes)}` : ''
}

function targetLine(t: TargetProgress, total: number): string {
  const filled = total <= 0 ? BAR_WIDTH : Math.round((Math.min(t.downloaded, total) / total) * BAR_WIDTH)
  const bar = `${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}`
  const tail = t.error ? `${t.state}: ${t.error.message}` : t.state
  return `  [${bar}] ${percent(t.downloaded, total).padStart(4)} ${formatRate(t.downloadRate).padStart(12)}  ${t.peers} peers  ${t.target}  ${tail}`
}
