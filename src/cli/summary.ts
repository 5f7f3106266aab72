import { describeReplicationStart } from '../core/backup-position.js'
import { parseEndpoint, pathOn } from '../core/endpoint.js'
import type { LinkKept } from '../core/link-verdicts.js'
import type { SiteGroup, SitesReport } from '../core/sites.js'
import type { TargetResult, TransferResult } from '../run/run-transfer.js'
import type { SourceLoss } from '../run/transfer-state.js'
import { formatBytes, formatDuration, formatMs } from './format.js'

/** The human summary: one line per target, then warnings. Preflight problems go to `problemLines`. */
export function summaryLines(result: TransferResult): string[] {
  if (result.outcome === 'preflight-failed') return []
  const lines = result.targets.flatMap((t) => {
    if (t.status === 'ok') {
      const line = `ok      ${copyName(t)}  ${formatBytes(t.bytes)} in ${formatDuration(t.seconds)}${details(t)}`
      return t.replication === undefined
        ? [line]
        : [line, `        stands at ${describeReplicationStart(t.replication)}`]
    }
    const why = t.error ? ` [${t.error.code}] ${t.error.message}` : ''
    return `${t.status.toUpperCase().padEnd(7)} ${t.target}${why}`
  })
  const sites = siteLine(result.sites)
  if (sites !== undefined) lines.push(sites)
  if (result.backup !== undefined) {
    const { bytes, seconds, heldByTargets } = result.backup
    const share = Math.round(heldByTargets * 100)
    lines.push(
      `backup: ${formatBytes(bytes)}, completed OK at ${formatDuration(seconds)}, when the targets held ${share}% of it`,
    )
  }
  if (result.sourceLost !== undefined) lines.push(sourceLostLine(result.sourceLost))
  const ok = result.targets.filter((t) => t.status === 'ok').length
  lines.push(
    `${ok}/${result.targets.length} targets hold a verified copy of ${result.source} (${formatBytes(result.bytes)}, ${formatDuration(result.seconds)})`,
  )
  const linked = linkLine(result.targets)
  if (linked !== undefined) lines.push(linked)
  for (const warning of result.warnings) lines.push(`warning: ${warning}`)
  for (const leftover of result.leftovers) lines.push(`warning: cleanup failed: ${leftover}`)
  return lines
}

/** Why targets kept their link, for one target and for several. */
const KEPT: Record<Exclude<LinkKept, 'another-copy-failed'>, [string, string]> = {
  'copy-failed': ['its copy failed', 'their copies failed'],
  'switch-failed': ['its switch failed', 'their switches failed'],
  interrupted: ['interrupted', 'interrupted'],
  'not-started': ['not started', 'not started'],
}

/**
 * `linked current -> release-43 on 3 of 4 targets; h4:/srv kept its link (its copy failed)`, and with
 * --link-when all `…; the 3 others kept theirs too (--link-when all)`; nothing without --link.
 */
export function linkLine(targets: readonly TargetResult[]): string | undefined {
  const first = targets.find((t) => t.link !== undefined)?.link
  if (first === undefined) return undefined
  const switched = targets.filter((t) => t.link?.switched === true).length
  const parts = [`linked ${first.name} -> ${first.to} on ${switched} of ${targets.length} targets`]
  for (const [why, [one, several]] of Object.entries(KEPT)) {
    const kept = targets.filter((t) => t.link?.reason === why).map((t) => t.target)
    if (kept.length === 1) parts.push(`${kept.join('')} kept its link (${one})`)
    if (kept.length > 1) parts.push(`${kept.join(', ')} kept their links (${several})`)
  }
  const others = targets.filter((t) => t.link?.reason === 'another-copy-failed').length
  if (others === 1) parts.push('the other kept its link too (--link-when all)')
  if (others > 1) parts.push(`the ${others} others kept theirs too (--link-when all)`)
  return parts.join('; ')
}

/** When the source was lost and what that cost: nothing once the targets held every piece. */
function sourceLostLine({ seconds, reason, heldPieces, pieces, survived, resumable }: SourceLoss): string {
  const when = `source lost at ${formatDuration(seconds)} (${reason})`
  if (survived)
    return `${when}: the targets held all ${pieces} pieces between them and finished from each other`
  const next = resumable ? 'a rerun resumes' : 'a new backup must be taken'
  return `${when}: the targets held ${heldPieces} of ${pieces} pieces between them; ${next}`
}

/**
 * `, 4.1 MiB on the wire (20%), read back in 0.3 s`: what compression saved and the check cost;
 * `, 1.2 MiB received, 80 MiB from the base (1,980 files)` with --base.
 */
function details(target: TargetResult): string {
  const parts: string[] = []
  if (target.fromBase?.found === true) {
    const received = target.received === undefined ? '' : `${formatBytes(target.received)} received, `
    parts.push(
      `${received}${formatBytes(target.fromBase.bytes)} from the base (${target.fromBase.files} files)`,
    )
  }
  if (target.wireBytes !== undefined && target.bytes > 0) {
    const share = Math.round((target.wireBytes / target.bytes) * 100)
    parts.push(`${formatBytes(target.wireBytes)} on the wire (${share}%)`)
  }
  if (target.readBackSeconds !== undefined) parts.push(`read back in ${target.readBackSeconds.toFixed(1)} s`)
  return parts.length === 0 ? '' : `, ${parts.join(', ')}`
}

/** Where the target's copy is, named with its host: two targets' copies often share a path. */
function copyName(target: TargetResult): string {
  if (target.path === undefined) return target.target
  return pathOn(parseEndpoint(target.target, '/'), target.path)
}

/**
 * `sites: dc1 = source + 4 targets, dc2 = 8 targets (inferred from round-trip times to the source:
 * 0.1 ms / 44 ms)`, with each site's median time; nothing when there is only one site.
 */
export function siteLine(sites: SitesReport): string | undefined {
  if (sites.groups.length < 2) return undefined
  const members = sites.groups.map((g) => `${g.label} = ${membersOf(g)}`).join(', ')
  if (sites.from === 'topology') return `sites: ${members} (from ${sites.file ?? 'the topology file'})`
  const times = sites.groups.map((g) => medianText(g.rttMs ?? [])).join(' / ')
  return `sites: ${members} (inferred from round-trip times to the source: ${times})`
}

function membersOf(group: SiteGroup): string {
  const count = group.targets.length
  const targets = count === 0 ? [] : [`${count} target${count === 1 ? '' : 's'}`]
  return [...(group.source ? ['source'] : []), ...targets].join(' + ')
}

function medianText(rttMs: readonly (number | null)[]): string {
  const measured = rttMs.filter((ms): ms is number => ms !== null).sort((a, b) => a - b)
  const middle = measured[Math.floor((measured.length - 1) / 2)]
  return middle === undefined ? '-' : formatMs(middle)
}

/** One line per problem found before anything moved, as `fanout: <endpoint>: <problem>`. */
export function problemLines(result: TransferResult): string[] {
  return result.problems.map((p) => `fanout: ${p.endpoint}: ${p.message}`)
}
