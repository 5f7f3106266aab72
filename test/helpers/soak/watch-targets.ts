import { pollUntil } from '../poll-until.js'
import { type FaultPlan, type TargetsLook, triggerReached } from './plan-faults.js'
import { fileDigest, type SoakBed } from './soak-bed.js'
import type { TargetCopy } from './soak-facts.js'

/**
 * Whether each target's copy has landed, and how much its staging directory holds. Pieces land
 * anywhere in the staging file, so its size says little; its allocated blocks are what it holds.
 */
export async function lookAtTargets(bed: SoakBed): Promise<TargetsLook> {
  const { cluster, layout } = bed
  const script =
    'test -e "$1/$2" && echo landed; du -s --block-size=1 "$1"/.fanout-* 2>/dev/null | cut -f1; true'
  const outputs = await Promise.all(
    layout.targets.map((host) => cluster.exec(host, ['sh', '-c', script, 'look', layout.dir, layout.name])),
  )
  const look: TargetsLook = { landed: [], held: {} }
  layout.targets.forEach((host, i) => {
    const words = (outputs[i]?.stdout ?? '').split('\n').filter((w) => w !== '')
    if (words.includes('landed')) look.landed.push(host)
    look.held[host] = words.filter((w) => /^\d+$/.test(w)).reduce((sum, w) => sum + Number(w), 0)
  })
  return look
}

/** The trigger came (with the last look at the targets), or why it did not. */
export type TriggerOutcome = { reached: true; look: TargetsLook } | { reached: false; why: string }

/** Polls the targets until the plan's trigger point, the CLI's end, or `timeoutMs`. */
export async function awaitTrigger(
  bed: SoakBed,
  plan: FaultPlan,
  cliEnded: () => boolean,
  timeoutMs: number,
): Promise<TriggerOutcome> {
  try {
    return await pollUntil(
      `the trigger of run ${plan.run}`,
      async (): Promise<TriggerOutcome | undefined> => {
        if (cliEnded()) return { reached: false, why: 'the CLI ended before the trigger' }
        const look = await lookAtTargets(bed)
        return triggerReached(plan, look, bed.payloadBytes) ? { reached: true, look } : undefined
      },
      { timeoutMs, intervalMs: 50 },
    )
  } catch {
    return { reached: false, why: `the trigger did not come within ${timeoutMs / 1000} s` }
  }
}

/** What each target holds under the final name, compared with the source. */
export async function copiesOf(bed: SoakBed): Promise<TargetCopy[]> {
  const { cluster, layout } = bed
  const path = `${layout.dir}/${layout.name}`
  return Promise.all(
    layout.targets.map(async (host) => {
      const landed = (await cluster.exec(host, ['test', '-e', path])).exitCode === 0
      const exact = landed && (await fileDigest(cluster, host, path)) === bed.digest
      return { host, landed, exact }
    }),
  )
}
