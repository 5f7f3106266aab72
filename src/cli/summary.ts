import type { TransferResult } from '../run/run-transfer.js'
import { formatBytes, formatDuration } from './format.js'

/** The human summary: one line per target, then warnings. Preflight problems go to `problemLines`. */
export function summaryLines(result: TransferResult): string[] {
  if (result.outcome === 'preflight-failed') return []
  const lines = result.targets.map((t) => {
    if (t.status === 'ok')
      return `ok      ${t.path ?? t.target}  ${formatBytes(t.bytes)} in ${formatDuration(t.seconds)}`
    const why = t.error ? ` [${t.error.code}] ${t.error.message}` : ''
    return `${t.status.toUpperCase().padEnd(7)} ${t.target}${why}`
  })
  const ok = result.targets.filter((t) => t.status === 'ok').length
  lines.push(
    `${ok}/${result.targets.length} targets hold a verified copy of ${result.source} (${formatBytes(result.bytes)}, ${formatDuration(result.seconds)})`,
  )
  for (const warning of result.warnings) lines.push(`warning: ${warning}`)
  for (const leftover of result.leftovers) lines.push(`warning: cleanup failed: ${leftover}`)
  return lines
}

/** One line per problem found before anything moved, as `fanout: <endpoint>: <problem>`. */
export function problemLines(result: TransferResult): string[] {
  return result.problems.map((p) => `fanout: ${p.endpoint}: ${p.message}`)
}
