import type { BedState, HostState, JudgingBasis } from './soak-facts.js'
import { reportedTarget } from './soak-facts.js'

/** What a host may hold after a run beyond what it held before. */
export interface Allowance {
  /** The payload under its final name (a target whose copy landed). */
  copy?: string
  /** A staging directory, `.fanout-….partial` (a target that may resume). */
  staging: boolean
}

const STAGING = /^\.fanout-.*\.partial$/

/**
 * How `after` differs from `before` on one host, one line per difference, beyond what `allow` lets
 * it keep. Processes are compared by command line (pids change), as a multiset.
 */
export function hostDifferences(before: HostState, after: HostState, allow: Allowance): string[] {
  const srvKept = (entry: string) => entry === allow.copy || (allow.staging && STAGING.test(entry))
  return [
    ...added(before.processes, after.processes).map((p) => `process left: ${p}`),
    ...added(after.processes, before.processes).map((p) => `process gone: ${p}`),
    ...added(before.srv, after.srv)
      .filter((e) => !srvKept(e))
      .map((e) =>
        STAGING.test(e) ? `staging directory where no resume is promised: ${e}` : `left in /srv: ${e}`,
      ),
    ...added(after.srv, before.srv).map((e) => `gone from /srv: ${e}`),
    ...added(before.tmp, after.tmp).map((e) => `temp file left: ${e}`),
    ...added(after.tmp, before.tmp).map((e) => `temp file gone: ${e}`),
    ...rulesetDifference(before.ruleset, after.ruleset),
  ]
}

/** Whether a host holds a staging directory. */
export function hasStaging(state: HostState | undefined): boolean {
  return state?.srv.some((e) => STAGING.test(e)) ?? false
}

/**
 * What each host may keep after this run: a target keeps its landed copy, and its staging
 * directory only where a rerun is promised to resume from it (it did not land and was not reported
 * ok). `afterCleanup`: `fanout cleanup` removes staging directories too.
 */
export function allowanceFor(facts: JudgingBasis, host: string, afterCleanup = false): Allowance {
  if (!facts.layout.targets.includes(host)) return { staging: false }
  const landed = facts.copies.find((c) => c.host === host)?.landed === true
  const reportedOk = reportedTarget(facts, host)?.status === 'ok'
  return {
    ...(landed ? { copy: facts.layout.name } : {}),
    staging: !afterCleanup && !landed && !reportedOk,
  }
}

/** One way a host is not as it was before the run. */
export interface HostDifference {
  host: string
  difference: string
}

/** Every host's differences from the baseline under the run's allowances. */
export function bedDifferences(facts: JudgingBasis, state: BedState, afterCleanup = false): HostDifference[] {
  return Object.entries(facts.baseline).flatMap(([host, before]) => {
    const after = state[host]
    if (after === undefined) return [{ host, difference: 'not inspected' }]
    const differences = hostDifferences(before, after, allowanceFor(facts, host, afterCleanup))
    return differences.map((difference) => ({ host, difference }))
  })
}

/** Items of `b` not matched one for one in `a`. */
function added(a: readonly string[], b: readonly string[]): string[] {
  const left = new Map<string, number>()
  for (const item of a) left.set(item, (left.get(item) ?? 0) + 1)
  return b.filter((item) => {
    const count = left.get(item) ?? 0
    if (count > 0) left.set(item, count - 1)
    return count === 0
  })
}

function rulesetDifference(before: string, after: string): string[] {
  if (before === after) return []
  const [a, b] = [before.split('\n'), after.split('\n')]
  const line = a.findIndex((text, i) => text !== b[i])
  const at = line === -1 ? a.length : line
  return [`firewall ruleset changed at line ${at + 1}: ${JSON.stringify(b[at] ?? '(ends)')}`]
}
