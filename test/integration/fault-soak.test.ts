import { describe, expect, test } from 'vitest'
import { clusterUnavailableReason } from '../helpers/cluster.js'
import { ALL_FAULT_KINDS, type FaultKind } from '../helpers/soak/fault-kinds.js'
import { runSoak } from '../helpers/soak/run-soak.js'
import { violations } from '../helpers/soak/soak-report.js'

const reason = clusterUnavailableReason()
const RUNS = 4
const KINDS: readonly FaultKind[] = ALL_FAULT_KINDS
/**
 * Its four runs: SIGINT to the CLI, a target's SSH connection cut, the source's host cut off once a
 * target has landed, and a target's agent stopped (SIGSTOP). The last two leave a peer silent, which
 * held up the other targets for webtorrent's 30 s request timeout until the scheduler closed
 * connections whose requests go unanswered.
 */
const SEED = 1

/**
 * The short version of `bench/soak.ts` (issue 18): the same soak code, four runs of fanout to four
 * targets with one fault each, every invariant judged after every run.
 */
describe.skipIf(reason !== undefined)(`a short fault soak${reason ? ` (skipped: ${reason})` : ''}`, () => {
  test(`${RUNS} runs, one fault each: every fault goes in and no invariant is violated`, {
    timeout: 240_000,
  }, async () => {
    const { meta, records } = await runSoak({
      seed: SEED,
      runs: RUNS,
      kinds: KINDS,
      command: 'test/integration/fault-soak.test.ts',
    })
    expect(meta.stopped).toBeUndefined()
    expect(records.map((r) => r.facts.missed)).toEqual(records.map(() => undefined))
    expect(violations(records)).toEqual([])
  })
})
