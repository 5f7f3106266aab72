import { describe, expect, test } from 'vitest'
import { judgeRun } from '../../helpers/soak/invariants.js'
import { type SoakMeta, soakReport, tally, violations } from '../../helpers/soak/soak-report.js'
import { facts, summary } from './soak-fixture.js'

const META: SoakMeta = {
  command: 'npx tsx bench/soak.ts --runs 3 --seed 5',
  seed: 5,
  runs: 3,
  startedAt: '2026-01-01T00:00:00.000Z',
  seconds: 90,
  bed: 'Bed: test.',
}

function record(run: ReturnType<typeof facts>) {
  return { facts: run, verdicts: judgeRun(run) }
}

describe('soakReport', () => {
  const good = record(facts('agent-kill', 'h2'))
  const stall = record({
    ...facts('agent-stop', 'h3', { summary: summary({ h3: 'failed STALLED' }, 'failed') }),
    plan: { run: 2, kind: 'agent-stop', victim: 'h3', watch: 'h3', share: 0.4 },
  })
  const bad = record({
    ...facts('disk-full', 'h1'),
    plan: { run: 3, kind: 'disk-full', victim: 'h1', watch: 'h1', share: 0.25 },
  })

  test('counts faults by kind and outcome, invariants held and violated, and lists each violation', () => {
    const text = soakReport(META, [good, stall, bad])
    expect(text).toContain('`npx tsx bench/soak.ts --runs 3 --seed 5`: seed 5, 3 of 3 runs, 1.5 min')
    expect(text).toMatch(
      /\| agent-kill \| kill -9 of the target's agent \| 1 \| 1 \| 1 \| failed \(AGENT_FAILED\) \| 1 \| 1 \|/,
    )
    expect(text).toMatch(/\| disk-full \| .* \| 1 \| 1 \| 0 \| failed \(AGENT_FAILED\) \| 1 \| 1 \|/)
    expect(text).toMatch(/\| ssh-cut \| .* \| 0 \| 0 \| 0 \|/)
    expect(text).toMatch(/\| expected-outcome \| .* \| 2 \| 1 \| 0 \|/)
    expect(text).toMatch(/\| ok-copies-exact \| .* \| 3 \| 0 \| 0 \|/)
    expect(text).toContain('1 violation(s)')
    expect(text).toMatch(
      /- run 3 \(disk-full on h1 at 25% held by h1; exit 1; targets .*h1 failed \(AGENT_FAILED\).*\): \*\*expected-outcome\*\*: h1 is failed \(AGENT_FAILED\), expected failed with NO_SPACE/,
    )
  })

  test('says so when everything held, and when the soak stopped early', () => {
    const text = soakReport({ ...META, stopped: 'after run 1: the hosts could not be restored' }, [good])
    expect(text).toContain('Every invariant held in every run.')
    expect(text).toContain('**The soak stopped early:** after run 1')
    expect(text).toContain('## Violations\n\nNone.')
    expect(violations([good])).toEqual([])
  })
})

test('tally counts distinct values in first-seen order', () => {
  expect(tally(['1', '1', '130', '1'])).toBe('1 ×3, 130')
  expect(tally([])).toBe('')
})
