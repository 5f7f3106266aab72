import { describeExit, statusText } from './expected-outcome.js'
import { ALL_FAULT_KINDS, FAULT_KINDS, type FaultKind } from './fault-kinds.js'
import { bedDifferences } from './host-differences.js'
import { INVARIANTS, type Invariant, type Verdict } from './invariants.js'
import type { FaultPlan } from './plan-faults.js'
import type { RunFacts } from './soak-facts.js'

/** One run as the report sees it: what happened and how it was judged. */
export interface SoakRecord {
  facts: RunFacts
  verdicts: Verdict[]
}

/** Where and how the soak ran. */
export interface SoakMeta {
  command: string
  seed: number
  /** Runs planned; fewer were recorded if the soak stopped early. */
  runs: number
  startedAt: string
  seconds: number
  /** The cluster and payload, in a sentence or two. */
  bed: string
  /** Why the soak stopped before its last run, if it did. */
  stopped?: string
}

/** The markdown report: faults by kind, invariants held and violated, every run, every violation. */
export function soakReport(meta: SoakMeta, records: readonly SoakRecord[]): string {
  const violated = violations(records)
  return [
    '# Fault soak',
    '',
    `\`${meta.command}\`: seed ${meta.seed}, ${records.length} of ${meta.runs} runs, ${(meta.seconds / 60).toFixed(1)} min, started ${meta.startedAt}.`,
    '',
    meta.bed,
    ...(meta.stopped === undefined ? [] : ['', `**The soak stopped early:** ${meta.stopped}`]),
    '',
    `**${violated.length === 0 ? 'Every invariant held in every run.' : `${violated.length} violation(s); see the end.`}**`,
    '',
    ...kindsTable(records),
    '',
    ...invariantsTable(records),
    '',
    ...runsTable(records),
    '',
    '## Violations',
    '',
    ...(violated.length === 0 ? ['None.'] : violated.map((v) => `- ${v}`)),
    '',
  ].join('\n')
}

/** Every violated invariant, one line each: run, fault, invariant, why. */
export function violations(records: readonly SoakRecord[]): string[] {
  return records.flatMap(({ facts, verdicts }) =>
    verdicts
      .filter((v) => v.held === false)
      .map(
        (v) =>
          `run ${facts.plan.run} (${describeFault(facts.plan)}; exit ${describeExit(facts)}; targets ${targetsText(facts)}): **${v.invariant}**: ${v.details.join('; ')}`,
      ),
  )
}

function kindsTable(records: readonly SoakRecord[]): string[] {
  const rows = ALL_FAULT_KINDS.map((kind) => {
    const runs = records.filter((r) => r.facts.plan.kind === kind)
    const injected = runs.filter((r) => r.facts.injection !== null)
    const asExpected = injected.filter((r) => verdictOf(r, 'expected-outcome') === true)
    const cleanAtExit = runs.filter((r) => bedDifferences(r.facts, r.facts.atExit).length === 0)
    const settled = Math.max(0, ...runs.map((r) => r.facts.settledAfter))
    return `| ${kind} | ${FAULT_KINDS[kind].action} | ${runs.length} | ${injected.length} | ${asExpected.length} | ${tally(injected.map((r) => outcomeText(r.facts)))} | ${tally(runs.map((r) => describeExit(r.facts)))} | ${cleanAtExit.length} | ${settled.toFixed(1)} |`
  })
  return [
    '## Faults by kind',
    '',
    '"outcome" is the victim target\'s status for a target fault, else the run\'s. "clean at exit": runs in which every host was as before when the CLI exited (staging kept where a resume is promised); "settled": the longest wait after the exit until every host was (agents cut off stop after their idle timeout).',
    '',
    '| fault | what is done | runs | injected | outcome as expected | outcomes | exit | clean at exit | settled s (max) |',
    '|---|---|---:|---:|---:|---|---|---:|---:|',
    ...rows,
    `| all | | ${records.length} | ${records.filter((r) => r.facts.injection !== null).length} | ${records.filter((r) => verdictOf(r, 'expected-outcome') === true).length} | | | ${records.filter((r) => bedDifferences(r.facts, r.facts.atExit).length === 0).length} | |`,
  ]
}

function invariantsTable(records: readonly SoakRecord[]): string[] {
  const rows = (Object.keys(INVARIANTS) as Invariant[]).map((invariant) => {
    const count = (held: boolean | null) => records.filter((r) => verdictOf(r, invariant) === held).length
    return `| ${invariant} | ${INVARIANTS[invariant]} | ${count(true)} | ${count(false)} | ${count(null)} |`
  })
  return [
    '## Invariants',
    '',
    'Counted per run; "n/a": the invariant does not apply to that run (e.g. no summary to compare with after kill -9).',
    '',
    '| invariant | meaning | held | violated | n/a |',
    '|---|---|---:|---:|---:|',
    ...rows,
  ]
}

function runsTable(records: readonly SoakRecord[]): string[] {
  const rows = records.map(({ facts, verdicts }) => {
    const at =
      facts.injection === null
        ? `missed: ${facts.missed ?? 'not injected'}`
        : facts.injection.seconds.toFixed(1)
    const bad = verdicts.filter((v) => v.held === false).map((v) => v.invariant)
    return `| ${facts.plan.run} | ${facts.plan.kind} | ${facts.plan.victim} | ${triggerText(facts.plan)} | ${at} | ${describeExit(facts)} | ${facts.exit.seconds.toFixed(1)} | ${targetsText(facts)} | ${facts.settledAfter.toFixed(1)} | ${bad.length === 0 ? 'all held' : bad.join(', ')} |`
  })
  return [
    '## Runs',
    '',
    '| run | fault | victim | trigger | fault at s | exit | CLI s | targets | settled s | invariants |',
    '|---:|---|---|---|---:|---|---:|---|---:|---|',
    ...rows,
  ]
}

function verdictOf(record: SoakRecord, invariant: Invariant): boolean | null | undefined {
  return record.verdicts.find((v) => v.invariant === invariant)?.held
}

/** `agent-stop on h2 at 45% held by h2`. */
export function describeFault(plan: FaultPlan): string {
  return `${plan.kind} on ${plan.victim} ${triggerText(plan)}`
}

function triggerText(plan: FaultPlan): string {
  if (plan.watch === null) return 'once a target landed'
  return `at ${Math.round(plan.share * 100)}% held by ${plan.watch}`
}

function targetsText(facts: RunFacts): string {
  if (facts.summary === null) return 'no summary'
  return facts.layout.targets.map((h) => `${h} ${statusText(facts, h)}`).join(', ')
}

/** What the fault led to, in a few words: the victim's status, or the run's outcome. */
function outcomeText(facts: RunFacts): string {
  if (facts.summary === null) return 'no summary'
  const kind: FaultKind = facts.plan.kind
  if (FAULT_KINDS[kind].victim === 'target') return statusText(facts, facts.plan.victim)
  const lost = facts.summary.sourceLost
  if (FAULT_KINDS[kind].victim === 'source')
    return `${facts.summary.outcome}, ${lost === undefined ? 'loss not reported' : `loss survived: ${lost.survived}`}`
  return facts.summary.outcome
}

/** `ok ×2, failed (STALLED)`: distinct values with their counts, in first-seen order. */
export function tally(values: readonly string[]): string {
  const counts = new Map<string, number>()
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1)
  return [...counts].map(([v, n]) => (n === 1 ? v : `${v} ×${n}`)).join(', ')
}
