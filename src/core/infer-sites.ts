import type { TransferPlan } from './plan.js'
import { type SiteLayout, SOURCE_SITE } from './sites.js'

/**
 * A target this close to the source (ms of round trip) is in the source's site. Inside a datacenter
 * a TCP handshake takes well under a millisecond; between datacenters, several.
 */
const NEAR_MS = 3

/**
 * A round-trip time starts a new group when it exceeds the group's smallest by this factor plus
 * {@link NEAR_MS}: hosts of one far site differ by jitter, two far sites by much more.
 */
const GROUP_RATIO = 1.5

/**
 * Whether sites must be measured: with one target there is nothing to group, and when every
 * endpoint is on this machine there is only one site.
 */
export function needsSiteProbe(plan: TransferPlan): boolean {
  return plan.targets.length > 1 && [plan.source, ...plan.targets].some((e) => e.host !== null)
}

/**
 * Groups targets by their round-trip time to the source: sorted, a new group starts at a big jump.
 * The first group is the source's site if it is near the source; the others are numbered 1, 2, ...
 * from the nearest. A target whose time could not be measured (null) is put in the source's site.
 * Only distances from the source are seen, so two far sites at about the same distance from it
 * become one; `--topology` tells them apart.
 */
export function inferSites(rttMs: readonly (number | null)[]): SiteLayout {
  const starts = groupStarts(rttMs.filter((ms): ms is number => ms !== null))
  const offset = starts[0] !== undefined && starts[0] <= NEAR_MS ? 0 : 1
  const targets = rttMs.map((ms) => {
    if (ms === null) return SOURCE_SITE
    return starts.filter((start) => start <= ms).length - 1 + offset
  })
  const siteCount = starts.length + offset
  return {
    from: 'inferred',
    labels: Array.from({ length: Math.max(1, siteCount) }, (_, site) => `dc${site + 1}`),
    targets,
    rttMs: [...rttMs],
  }
}

/** The smallest round-trip time of each group, ascending. */
function groupStarts(values: readonly number[]): number[] {
  const starts: number[] = []
  for (const ms of [...values].sort((a, b) => a - b)) {
    const start = starts.at(-1)
    if (start === undefined || ms > start * GROUP_RATIO + NEAR_MS) starts.push(ms)
  }
  return starts
}
