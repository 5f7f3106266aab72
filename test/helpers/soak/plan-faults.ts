import { ALL_FAULT_KINDS, FAULT_KINDS, type FaultKind } from './fault-kinds.js'
import { pickOne, type Random, seededRandom, shuffled } from './prng.js'

/** The victim named when the fault hits the CLI itself. */
export const ORCHESTRATOR = 'orchestrator'

/** One run's fault: what, whom, and when. */
export interface FaultPlan {
  /** 1-based. */
  run: number
  kind: FaultKind
  /** A target, the source host, or {@link ORCHESTRATOR}. */
  victim: string
  /** The target whose progress triggers the fault; null: whichever target lands first. */
  watch: string | null
  /** Share of the payload the watched target must hold first; 1: it must have landed. */
  share: number
}

/** What a soak runs on and how long. */
export interface SoakShape {
  seed: number
  runs: number
  source: string
  targets: readonly string[]
  /** The kinds to draw from; every kind by default. */
  kinds?: readonly FaultKind[]
}

/** Triggers fall between these shares of the payload: late enough that data moves, early enough to beat the landing. */
export const SHARE_RANGE = { min: 0.1, max: 0.8 } as const

/**
 * The soak's schedule. Kinds come in shuffled rounds, each kind once per round, so a short soak
 * still sees every kind instead of whatever a fair die happens to favour; victim and trigger are
 * drawn per run. Run k's fault depends only on the seed and k, never on how many runs follow, so a
 * run seen failing in a long soak is replayed alone with the same seed.
 */
export function planFaults(shape: SoakShape): FaultPlan[] {
  const kinds = shape.kinds ?? ALL_FAULT_KINDS
  if (kinds.length === 0 || shape.targets.length === 0)
    throw new Error('a soak needs fault kinds and targets')
  const rounds = seededRandom(shape.seed)
  const order: FaultKind[] = []
  while (order.length < shape.runs) order.push(...shuffled(rounds, kinds))
  return order.slice(0, shape.runs).map((kind, i) => planRun(kind, i + 1, shape))
}

function planRun(kind: FaultKind, run: number, shape: SoakShape): FaultPlan {
  const random = seededRandom(runSeed(shape.seed, run))
  switch (FAULT_KINDS[kind].victim) {
    case 'target': {
      const victim = pickOne(random, shape.targets)
      return { run, kind, victim, watch: victim, share: drawShare(random) }
    }
    case 'orchestrator':
      return {
        run,
        kind,
        victim: ORCHESTRATOR,
        watch: pickOne(random, shape.targets),
        share: drawShare(random),
      }
    case 'source':
      // Lost only once a target holds a whole copy: the swarm then holds every piece (README,
      // "When the source is lost"), so the run must still succeed.
      return { run, kind, victim: shape.source, watch: null, share: 1 }
  }
}

function drawShare(random: Random): number {
  const share = SHARE_RANGE.min + random() * (SHARE_RANGE.max - SHARE_RANGE.min)
  return Math.round(share * 100) / 100
}

/** A distinct seed per run, mixed so that neighbouring runs do not draw similar numbers. */
function runSeed(seed: number, run: number): number {
  return Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(run, 0xc2b2ae35)
}

/** What the targets held at one look, as the trigger sees it. */
export interface TargetsLook {
  /** Targets whose copy is under its final name. */
  landed: string[]
  /** Bytes held (allocated) in each target's staging directory. */
  held: Record<string, number>
}

/** Whether a look at the targets has passed the plan's trigger point. */
export function triggerReached(plan: FaultPlan, look: TargetsLook, payloadBytes: number): boolean {
  if (plan.watch === null) return look.landed.length > 0
  if (look.landed.includes(plan.watch)) return true
  return (look.held[plan.watch] ?? 0) >= plan.share * payloadBytes
}
