import { describe, expect, test } from 'vitest'
import { ALL_FAULT_KINDS, FAULT_KINDS } from '../../helpers/soak/fault-kinds.js'
import {
  type FaultPlan,
  ORCHESTRATOR,
  planFaults,
  SHARE_RANGE,
  triggerReached,
} from '../../helpers/soak/plan-faults.js'
import { pickOne, seededRandom, shuffled } from '../../helpers/soak/prng.js'

const SHAPE = { seed: 7, runs: 20, source: 'h0', targets: ['h1', 'h2', 'h3', 'h4'] }

describe('seededRandom', () => {
  test('gives the same numbers for the same seed, in [0, 1)', () => {
    const [a, b] = [seededRandom(42), seededRandom(42)]
    const drawn = Array.from({ length: 1000 }, () => a())
    expect(Array.from({ length: 1000 }, () => b())).toEqual(drawn)
    expect(drawn.every((x) => x >= 0 && x < 1)).toBe(true)
    // Not stuck: a thousand draws spread over the interval.
    expect(Math.min(...drawn)).toBeLessThan(0.01)
    expect(Math.max(...drawn)).toBeGreaterThan(0.99)
  })

  test('gives other numbers for another seed', () => {
    const [a, b] = [seededRandom(1), seededRandom(2)]
    expect(Array.from({ length: 5 }, () => a())).not.toEqual(Array.from({ length: 5 }, () => b()))
  })

  test('shuffles into a permutation and picks from the list', () => {
    const random = seededRandom(3)
    const items = ['a', 'b', 'c', 'd', 'e']
    expect([...shuffled(random, items)].sort()).toEqual(items)
    expect(items).toContain(pickOne(random, items))
    expect(() => pickOne(random, [])).toThrow(/empty/)
  })
})

describe('planFaults', () => {
  const plans = planFaults(SHAPE)

  test('is the same schedule for the same seed, another for another seed', () => {
    expect(planFaults(SHAPE)).toEqual(plans)
    expect(planFaults({ ...SHAPE, seed: 8 })).not.toEqual(plans)
  })

  test("run k's fault does not depend on how many runs follow", () => {
    expect(planFaults({ ...SHAPE, runs: 4 })).toEqual(plans.slice(0, 4))
  })

  test('every kind comes once in each round', () => {
    const rounds = ALL_FAULT_KINDS.length
    expect(
      plans
        .slice(0, rounds)
        .map((p) => p.kind)
        .sort(),
    ).toEqual([...ALL_FAULT_KINDS].sort())
    expect(
      plans
        .slice(rounds, 2 * rounds)
        .map((p) => p.kind)
        .sort(),
    ).toEqual([...ALL_FAULT_KINDS].sort())
    expect(plans.map((p) => p.run)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
  })

  test('draws from the kinds asked for only', () => {
    const only = planFaults({ ...SHAPE, kinds: ['disk-full', 'ssh-cut'] })
    expect(new Set(only.map((p) => p.kind))).toEqual(new Set(['disk-full', 'ssh-cut']))
  })

  test.each(plans.map((p) => [p.run, p] as const))(
    'run %i hits a victim of its kind at a sound trigger',
    (_, plan) => {
      switch (FAULT_KINDS[plan.kind].victim) {
        case 'target':
          expect(SHAPE.targets).toContain(plan.victim)
          expect(plan.watch).toBe(plan.victim)
          break
        case 'orchestrator':
          expect(plan.victim).toBe(ORCHESTRATOR)
          expect(SHAPE.targets).toContain(plan.watch)
          break
        case 'source':
          expect(plan).toMatchObject({ victim: 'h0', watch: null, share: 1 })
          return
      }
      expect(plan.share).toBeGreaterThanOrEqual(SHARE_RANGE.min)
      expect(plan.share).toBeLessThanOrEqual(SHARE_RANGE.max)
    },
  )

  test('refuses a soak without kinds or targets', () => {
    expect(() => planFaults({ ...SHAPE, kinds: [] })).toThrow()
    expect(() => planFaults({ ...SHAPE, targets: [] })).toThrow()
  })
})

describe('triggerReached', () => {
  const atHalf: FaultPlan = { run: 1, kind: 'agent-kill', victim: 'h2', watch: 'h2', share: 0.5 }
  const anyLanded: FaultPlan = { run: 1, kind: 'source-kill', victim: 'h0', watch: null, share: 1 }
  test.each<[string, FaultPlan, string[], Record<string, number>, boolean]>([
    ['the watched target holds less than its share', atHalf, [], { h2: 49 }, false],
    ['the watched target holds its share', atHalf, [], { h2: 50 }, true],
    ['another target holds it', atHalf, [], { h1: 100, h2: 0 }, false],
    ['the watched target has landed (its staging is gone)', atHalf, ['h2'], {}, true],
    ['no target has landed', anyLanded, [], { h1: 100 }, false],
    ['a target has landed', anyLanded, ['h3'], {}, true],
  ])('%s: %s', (_, plan, landed, held, reached) => {
    expect(triggerReached(plan, { landed, held }, 100)).toBe(reached)
  })
})
