import { describe, expect, test } from 'vitest'
import { hostDifferences } from '../../helpers/soak/host-differences.js'
import { type Invariant, judgeRun } from '../../helpers/soak/invariants.js'
import type { RunFacts } from '../../helpers/soak/soak-facts.js'
import { bedAfter, facts, host, STAGING, summary } from './soak-fixture.js'

/** The invariants a run violated, each with its details. */
function violated(run: RunFacts): Partial<Record<Invariant, string[]>> {
  return Object.fromEntries(
    judgeRun(run)
      .filter((v) => v.held === false)
      .map((v) => [v.invariant, v.details]),
  )
}

function heldOf(run: RunFacts, invariant: Invariant): boolean | null | undefined {
  return judgeRun(run).find((v) => v.invariant === invariant)?.held
}

const sourceOk = {
  exit: { code: 0, signal: null, timedOut: false, seconds: 9, stderrTail: '' },
  summary: summary({}, 'ok'),
}

describe('judgeRun: runs that went as the README says', () => {
  test.each<[string, RunFacts]>([
    ['a killed target agent', facts('agent-kill')],
    ['a full disk', facts('disk-full', 'h4', { summary: summary({ h4: 'failed NO_SPACE' }, 'failed') })],
    ['a stopped agent', facts('agent-stop', 'h1', { summary: summary({ h1: 'failed STALLED' }, 'failed') })],
    ['the source killed once a target landed', facts('source-kill', 'h0', sourceOk)],
    [
      'the source lost, the loss reported as survived',
      facts('source-cut', 'h0', {
        ...sourceOk,
        summary: summary({}, 'ok', { sourceLost: { survived: true, heldPieces: 8, pieces: 8, reason: 'x' } }),
      }),
    ],
    [
      'a victim that had landed before the fault and stays ok',
      facts('agent-kill', 'h2', {
        ...sourceOk,
        injection: { seconds: 3, landed: ['h2'], held: {} },
        copies: ['h1', 'h2', 'h3', 'h4'].map((h) => ({ host: h, landed: true, exact: true })),
        atExit: bedAfter(),
        settled: bedAfter(),
        cleanup: { exitCode: 0, removed: [], after: bedAfter() },
      }),
    ],
  ])('%s: every invariant holds', (_, run) => {
    expect(violated(run)).toEqual({})
  })

  test('SIGINT: exit 130, a copy that landed before it stays, the others keep their staging', () => {
    const staging = { h2: [STAGING, 'tmp'], h3: [STAGING, 'tmp'], h4: [STAGING, 'tmp'] }
    const run = facts('orchestrator-sigint', 'orchestrator', {
      exit: { code: 130, signal: null, timedOut: false, seconds: 4, stderrTail: '' },
      summary: summary({ h2: 'aborted ABORTED', h3: 'aborted ABORTED', h4: 'aborted ABORTED' }, 'aborted'),
      copies: ['h1', 'h2', 'h3', 'h4'].map((h) => ({ host: h, landed: h === 'h1', exact: h === 'h1' })),
      atExit: bedAfter(staging),
      settled: bedAfter(staging),
      cleanup: { exitCode: 0, removed: [], after: bedAfter({ h2: ['tmp'], h3: ['tmp'], h4: ['tmp'] }) },
    })
    expect(violated(run)).toEqual({})
  })

  test('kill -9 of the CLI: no summary is right, and agents may take their idle timeout to go', () => {
    const staging = { h1: [STAGING, 'tmp'], h2: [STAGING, 'tmp'], h3: [STAGING, 'tmp'], h4: [STAGING, 'tmp'] }
    const run = facts('orchestrator-kill', 'orchestrator', {
      exit: { code: null, signal: 'SIGKILL', timedOut: false, seconds: 4, stderrTail: '' },
      summary: null,
      copies: ['h1', 'h2', 'h3', 'h4'].map((h) => ({ host: h, landed: false, exact: false })),
      atExit: bedAfter(staging, (s) => {
        s.h1 = host([STAGING, 'tmp'], { processes: ['node agent.mjs'] })
      }),
      settled: bedAfter(staging),
      cleanup: {
        exitCode: 0,
        removed: [],
        after: bedAfter({ h1: ['tmp'], h2: ['tmp'], h3: ['tmp'], h4: ['tmp'] }),
      },
    })
    expect(violated(run)).toEqual({})
    expect(heldOf(run, 'clean-at-exit')).toBeNull()
    expect(heldOf(run, 'ok-copies-exact')).toBeNull()
  })

  test('a fault that never went in promises no outcome', () => {
    const run = facts('agent-kill', 'h2', { ...sourceOk, injection: null, missed: 'the CLI ended first' })
    expect(heldOf(run, 'expected-outcome')).toBeNull()
    expect(heldOf(run, 'staging-kept')).toBeNull()
  })
})

describe('judgeRun: violations', () => {
  test.each<[string, RunFacts, Invariant, RegExp]>([
    [
      'a target reported ok whose copy differs',
      facts('agent-kill', 'h2', {
        copies: ['h1', 'h2', 'h3', 'h4'].map((h) => ({
          host: h,
          landed: h !== 'h2',
          exact: h !== 'h1' && h !== 'h2',
        })),
      }),
      'ok-copies-exact',
      /h1 reported ok, but its copy differs/,
    ],
    [
      'a partial copy under the final name of a failed target',
      facts('agent-kill', 'h2', {
        copies: ['h1', 'h2', 'h3', 'h4'].map((h) => ({ host: h, landed: true, exact: h !== 'h2' })),
      }),
      'no-partial-copy',
      /h2 \(failed \(AGENT_FAILED\)\): \/srv\/payload differs/,
    ],
    [
      'exit 0 although a target failed',
      facts('agent-kill', 'h2', {
        exit: { code: 0, signal: null, timedOut: false, seconds: 1, stderrTail: '' },
      }),
      'exit-agrees',
      /exit 0, but outcome failed means 1/,
    ],
    [
      'no summary without kill -9',
      facts('agent-kill', 'h2', { summary: null }),
      'exit-agrees',
      /no summary, exit 1/,
    ],
    [
      'outcome ok with a failed target',
      facts('agent-kill', 'h2', { summary: summary({ h2: 'failed AGENT_FAILED' }, 'ok') }),
      'exit-agrees',
      /outcome ok with targets/,
    ],
    [
      'an agent process left at exit after a fault that promises a clean exit',
      facts('agent-kill', 'h2', {
        atExit: bedAfter({ h2: [STAGING, 'tmp'] }, (s) => {
          s.h3 = host(['payload', 'tmp'], { processes: ['node /srv/tmp/fanout-agent.x/agent.mjs'] })
        }),
      }),
      'clean-at-exit',
      /h3: process left: node/,
    ],
    [
      'a staging directory left on a target reported ok',
      facts('agent-kill', 'h2', {
        settled: bedAfter({ h2: [STAGING, 'tmp'], h1: [STAGING, 'payload', 'tmp'] }),
      }),
      'clean-settled',
      /h1: staging directory where no resume is promised/,
    ],
    [
      'a firewall table left',
      facts('link-down', 'h2', {
        settled: bedAfter({ h2: [STAGING, 'tmp'] }, (s) => {
          s.h2 = host([STAGING, 'tmp'], { ruleset: 'table inet fanout_1 {\n}' })
        }),
      }),
      'clean-settled',
      /h2: firewall ruleset changed at line 1/,
    ],
    [
      'an agent directory left in TMPDIR',
      facts('agent-kill', 'h2', {
        settled: bedAfter({ h2: [STAGING, 'tmp'] }, (s) => {
          s.h2 = host([STAGING, 'tmp'], { tmp: ['fanout-agent.AbCdEfGh'] })
        }),
      }),
      'clean-settled',
      /h2: temp file left: fanout-agent/,
    ],
    [
      'fanout cleanup failing',
      facts('agent-kill', 'h2', { cleanup: { exitCode: 1, removed: [], after: bedAfter({ h2: ['tmp'] }) } }),
      'cleanup-restores',
      /exited 1/,
    ],
    [
      'staging surviving fanout cleanup',
      facts('agent-kill', 'h2', {
        cleanup: { exitCode: 0, removed: [], after: bedAfter({ h2: [STAGING, 'tmp'] }) },
      }),
      'cleanup-restores',
      /h2: staging directory/,
    ],
    [
      'a failed target that lost its staging copy',
      facts('agent-kill', 'h2', { settled: bedAfter({ h2: ['tmp'] }) }),
      'staging-kept',
      /h2 held 10485760 bytes at the fault/,
    ],
    [
      'the victim failing with another code',
      facts('disk-full', 'h2'),
      'expected-outcome',
      /h2 is failed \(AGENT_FAILED\), expected failed with NO_SPACE/,
    ],
    [
      'a bystander failing too',
      facts('agent-kill', 'h2', {
        summary: summary({ h2: 'failed AGENT_FAILED', h3: 'failed STALLED' }, 'failed'),
      }),
      'expected-outcome',
      /h3 is failed \(STALLED\), expected ok/,
    ],
    [
      'the source lost once a target landed, and a target failing',
      facts('source-kill', 'h0', {
        summary: summary({ h4: 'failed SOURCE_LOST' }, 'failed'),
        exit: { code: 1, signal: null, timedOut: false, seconds: 9, stderrTail: '' },
      }),
      'expected-outcome',
      /h4 is failed \(SOURCE_LOST\), expected ok; exit 1, expected 0/,
    ],
    [
      'a SIGINT that exits 1',
      facts('orchestrator-sigint', 'orchestrator', {
        summary: summary({ h2: 'failed AGENT_FAILED' }, 'failed'),
        exit: { code: 1, signal: null, timedOut: false, seconds: 9, stderrTail: '' },
      }),
      'expected-outcome',
      /h2 is failed \(AGENT_FAILED\), expected ok or aborted; exit 1, expected 130/,
    ],
    [
      'a run that ran out of time',
      facts('agent-stop', 'h2', {
        exit: { code: 130, signal: null, timedOut: true, seconds: 150, stderrTail: '' },
      }),
      'cli-bounded',
      /limit/,
    ],
  ])('%s', (_, run, invariant, detail) => {
    expect(violated(run)[invariant]?.join('; ')).toMatch(detail)
  })

  test('what the summary lists in leftovers is not held against the run at exit, but must go with fanout cleanup', () => {
    const dirty = bedAfter({ h2: [STAGING, 'tmp'] }, (s) => {
      s.h2 = host([STAGING, 'tmp'], { tmp: ['fanout-agent.AbCdEfGh'] })
    })
    const reported = summary({ h2: 'failed AGENT_FAILED' }, 'failed', {
      leftovers: ['remove agent files on h2'],
    })
    expect(violated(facts('agent-kill', 'h2', { summary: reported, atExit: dirty, settled: dirty }))).toEqual(
      {},
    )
    const notReported = summary({ h2: 'failed AGENT_FAILED' }, 'failed', {
      leftovers: ['remove agent files on h20'],
    })
    expect(
      Object.keys(
        violated(facts('agent-kill', 'h2', { summary: notReported, atExit: dirty, settled: dirty })),
      ),
    ).toEqual(['clean-at-exit', 'clean-settled'])
  })
})

describe('hostDifferences', () => {
  test('compares processes by command line, as many as before', () => {
    const before = host([], { processes: ['a', 'a'] })
    expect(hostDifferences(before, host([], { processes: ['a', 'a'] }), { staging: false })).toEqual([])
    expect(hostDifferences(before, host([], { processes: ['a', 'a', 'a'] }), { staging: false })).toEqual([
      'process left: a',
    ])
    expect(hostDifferences(before, host([], { processes: ['a'] }), { staging: false })).toEqual([
      'process gone: a',
    ])
  })

  test('lets a target keep its landed copy and, where allowed, its staging directory', () => {
    const after = host(['payload', STAGING, 'tmp'])
    expect(hostDifferences(host(['tmp']), after, { copy: 'payload', staging: true })).toEqual([])
    expect(hostDifferences(host(['tmp']), after, { staging: false })).toEqual([
      'left in /srv: payload',
      `staging directory where no resume is promised: ${STAGING}`,
    ])
  })
})
