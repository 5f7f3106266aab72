import type { Cluster } from '../cluster.js'
import { pollUntil } from '../poll-until.js'
import { hostDifferences } from './host-differences.js'
import { FILLER } from './inject-fault.js'
import { bedState, HOST_TMP, type SoakBed } from './soak-bed.js'
import type { BedState } from './soak-facts.js'

/** The bed could not be brought back to its baseline: later runs would not be independent. */
export class BedNotRestored extends Error {}

/**
 * Brings every host back to the baseline for the next run: the copies removed, and, only if
 * `fanout cleanup` left something (already recorded as a violation), the leftovers removed by hand:
 * processes killed by the pid found in the host's namespace, staging and agent directories removed,
 * an empty firewall emptied again. Throws BedNotRestored if a host still differs.
 */
export async function restoreBed(bed: SoakBed): Promise<void> {
  const { cluster, layout } = bed
  await Promise.all(layout.targets.map((h) => cluster.exec(h, ['rm', '-rf', `${layout.dir}/${layout.name}`])))
  if ((await differences(bed)).length === 0) return
  await Promise.all([layout.source, ...layout.targets].map((h) => forceClean(bed, h)))
  const left = await differences(bed, 10_000)
  if (left.length > 0) throw new BedNotRestored(`the hosts could not be restored: ${left.join('; ')}`)
}

/** Every host's difference from the baseline, nothing allowed; polled briefly for sessions closing. */
async function differences(bed: SoakBed, limitMs = 5_000): Promise<string[]> {
  let left: string[] = []
  const look = async () => {
    left = describe(bed.baseline, await bedState(bed.cluster, bed.layout))
    return left.length === 0 ? true : undefined
  }
  await pollUntil('the hosts back at their baseline', look, { timeoutMs: limitMs, intervalMs: 250 }).catch(
    () => {},
  )
  return left
}

function describe(baseline: BedState, state: BedState): string[] {
  return Object.entries(baseline).flatMap(([host, before]) => {
    const after = state[host]
    if (after === undefined) return [`${host}: not inspected`]
    return hostDifferences(before, after, { staging: false }).map((d) => `${host}: ${d}`)
  })
}

async function forceClean(bed: SoakBed, host: string): Promise<void> {
  const { cluster, baseline } = bed
  const before = baseline[host]
  const stray = (await cluster.processes(host)).filter((p) => !before?.processes.includes(p.cmdline))
  if (stray.length > 0) await cluster.exec(host, ['kill', '-9', ...stray.map((p) => String(p.pid))])
  await removeStrayFiles(cluster, host, bed.layout.dir)
  if (before?.ruleset === '') await cluster.exec(host, ['nft', 'flush', 'ruleset'])
}

/** What fanout and the soak put on a host: staging directories, a filler file, shipped agents. */
async function removeStrayFiles(cluster: Cluster, host: string, dir: string): Promise<void> {
  const script = 'rm -rf "$1"/.fanout-* "$1/$3" "$2"/fanout-agent.*'
  await cluster.exec(host, ['sh', '-c', script, 'clean', dir, HOST_TMP, FILLER])
}
