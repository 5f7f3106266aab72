import { loadavg } from 'node:os'
import { CLUSTER_NAMESPACE } from '../../test/helpers/cluster-layout.js'
import { runCommand } from '../../test/helpers/run-command.js'

/** What else the machine was doing when a run ended. */
export interface Noise {
  /** The 1-minute load average. */
  load: number
  /** Virtual clusters other than ours (tests, another benchmark): they compete for the cores. */
  otherClusters: number
}

/** The load average and the other virtual clusters present now, besides the one with `ownId`. */
export async function noiseNow(ownId: string): Promise<Noise> {
  const listed = await runCommand(['ip', 'netns', 'list'])
  const ids = new Set(
    listed.stdout
      .split('\n')
      .map((line) => CLUSTER_NAMESPACE.exec(line)?.[1])
      .filter((id): id is string => id !== undefined && id !== ownId),
  )
  const [load = 0] = loadavg()
  return { load, otherClusters: ids.size }
}

/** One line for under a table: the range of the load, and how many runs ended beside another cluster. */
export function noiseLine(noises: readonly (Noise | undefined)[]): string {
  const known = noises.filter((n): n is Noise => n !== undefined)
  if (known.length === 0) return 'Noise: not recorded.'
  const loads = known.map((n) => n.load)
  const crowded = known.filter((n) => n.otherClusters > 0).length
  return (
    `Noise: 1-minute load average ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)} at the ends of the ` +
    `${known.length} runs (2 cores; our own two hosts account for up to about 2); another virtual cluster (a test) ` +
    `was present at the end of ${crowded} of them.`
  )
}
