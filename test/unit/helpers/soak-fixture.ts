import type { FaultKind } from '../../helpers/soak/fault-kinds.js'
import type { FaultPlan } from '../../helpers/soak/plan-faults.js'
import type { BedState, HostState, RunFacts, Summary } from '../../helpers/soak/soak-facts.js'

const TARGETS = ['h1', 'h2', 'h3', 'h4']
export const STAGING = '.fanout-0123456789abcdef.partial'

export function host(srv: string[] = [], extra: Partial<HostState> = {}): HostState {
  return { processes: [], srv, tmp: [], ruleset: '', ...extra }
}

/** Every host as before the soak: the source holds the payload and every host its TMPDIR. */
export function baseline(): BedState {
  return {
    h0: host(['payload', 'tmp']),
    ...Object.fromEntries(TARGETS.map((h) => [h, host(['tmp'])])),
    admin: host(),
  }
}

/** The bed after a run: each target's copy landed, but for the targets given their own /srv. */
export function bedAfter(
  srv: Record<string, string[]> = {},
  change: (state: BedState) => void = () => {},
): BedState {
  const state = baseline()
  for (const h of TARGETS) state[h] = host(srv[h] ?? ['payload', 'tmp'])
  change(state)
  return state
}

export function summary(
  statuses: Record<string, string>,
  outcome: Summary['outcome'],
  more: Partial<Summary> = {},
): Summary {
  return {
    outcome,
    targets: TARGETS.map((h) => {
      const [status = 'ok', code] = (statuses[h] ?? 'ok').split(' ')
      return {
        target: `${h}:/srv`,
        status,
        ...(code === undefined ? {} : { error: { code, message: code } }),
      }
    }),
    leftovers: [],
    ...more,
  }
}

/**
 * A run of `kind` on `victim` in which everything went as the README says: the victim (a target)
 * failed with the kind's first code and kept its staging directory, the others landed exact copies.
 */
export function facts(kind: FaultKind, victim = 'h2', change: Partial<RunFacts> = {}): RunFacts {
  const plan: FaultPlan = { run: 1, kind, victim, watch: victim, share: 0.5 }
  const failed = TARGETS.includes(victim) ? [victim] : []
  const after = bedAfter(Object.fromEntries(failed.map((h) => [h, [STAGING, 'tmp']])))
  return {
    plan,
    layout: { source: 'h0', targets: TARGETS, dir: '/srv', name: 'payload' },
    injection: { seconds: 3, landed: [], held: Object.fromEntries(TARGETS.map((h) => [h, 10 << 20])) },
    exit: { code: failed.length > 0 ? 1 : 0, signal: null, timedOut: false, seconds: 9, stderrTail: '' },
    summary: summary(
      Object.fromEntries(failed.map((h) => [h, 'failed AGENT_FAILED'])),
      failed.length > 0 ? 'failed' : 'ok',
    ),
    copies: TARGETS.map((h) => ({ host: h, landed: !failed.includes(h), exact: !failed.includes(h) })),
    baseline: baseline(),
    atExit: after,
    settled: after,
    settledAfter: 0.3,
    cleanup: {
      exitCode: 0,
      removed: [],
      after: bedAfter(Object.fromEntries(failed.map((h) => [h, ['tmp']]))),
    },
    ...change,
  }
}
