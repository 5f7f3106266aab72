import { outcomeDepartures, statusText } from './expected-outcome.js'
import { FAULT_KINDS } from './fault-kinds.js'
import { bedDifferences, type HostDifference, hasStaging } from './host-differences.js'
import { type RunFacts, reportedTarget, type Summary } from './soak-facts.js'

/** The properties every run must keep, whatever its fault. */
export type Invariant =
  | 'cli-bounded'
  | 'ok-copies-exact'
  | 'no-partial-copy'
  | 'exit-agrees'
  | 'clean-at-exit'
  | 'clean-settled'
  | 'cleanup-restores'
  | 'staging-kept'
  | 'expected-outcome'

/** One invariant judged on one run: held, violated (with why), or not applicable (held null). */
export interface Verdict {
  invariant: Invariant
  held: boolean | null
  details: string[]
}

/** What each invariant means, in the report's words and order. */
export const INVARIANTS: Readonly<Record<Invariant, string>> = {
  'cli-bounded': "the CLI ended by itself or by the fault, within the soak's limit per run",
  'ok-copies-exact': 'every target reported ok holds an exact copy (sha256 of the final name = the source)',
  'no-partial-copy':
    'nothing but an exact copy under a final name, on any target, whatever its status (a copy that landed before an interrupt is complete)',
  'exit-agrees':
    'exit status agrees with the summary (0 iff every target ok, 130 interrupted, 3 a verification failure, else 1) and with what happened (aborted only after a signal; no summary only after kill -9 of the CLI)',
  'clean-at-exit':
    "when the CLI exits (5 s' grace for SSH sessions to close), every host's processes, nft ruleset, /srv and TMPDIR as before, but for staging directories where a resume is promised, or what the summary lists in `leftovers`; for faults after which no agent should outlive the CLI",
  'clean-settled': 'the same once any agent cut off from the CLI has passed its idle timeout (every fault)',
  'cleanup-restores':
    '`fanout cleanup` of every host exits 0 and leaves every host as before, staging removed',
  'staging-kept':
    'a target that held data at the fault and did not land keeps its staging directory for a rerun to resume',
  'expected-outcome': "the outcome the README promises for the fault (see the fault kinds' table)",
}

/** Judges one run's facts against every invariant. */
export function judgeRun(facts: RunFacts): Verdict[] {
  const checks: Record<Invariant, (f: RunFacts) => string[] | null> = {
    'cli-bounded': (f) => (f.exit.timedOut ? [`still running after the soak's limit; stopped`] : []),
    'ok-copies-exact': okCopiesExact,
    'no-partial-copy': noPartialCopy,
    'exit-agrees': exitAgrees,
    'clean-at-exit': (f) =>
      FAULT_KINDS[f.plan.kind].cleansLater === undefined ? unreported(f, bedDifferences(f, f.atExit)) : null,
    'clean-settled': (f) => unreported(f, bedDifferences(f, f.settled)),
    'cleanup-restores': cleanupRestores,
    'staging-kept': stagingKept,
    'expected-outcome': outcomeDepartures,
  }
  return (Object.keys(INVARIANTS) as Invariant[]).map((invariant) => {
    const details = checks[invariant](facts)
    return { invariant, held: details === null ? null : details.length === 0, details: details ?? [] }
  })
}

function okCopiesExact(facts: RunFacts): string[] | null {
  if (facts.summary === null) return null
  return facts.copies
    .filter((c) => reportedTarget(facts, c.host)?.status === 'ok' && !c.exact)
    .map(
      (c) => `${c.host} reported ok, but ${c.landed ? 'its copy differs from the source' : 'it has no copy'}`,
    )
}

function noPartialCopy(facts: RunFacts): string[] {
  return facts.copies
    .filter((c) => c.landed && !c.exact)
    .map(
      (c) =>
        `${c.host} (${statusText(facts, c.host)}): ${facts.layout.dir}/${facts.layout.name} differs from the source`,
    )
}

function exitAgrees(facts: RunFacts): string[] {
  const { summary, exit, plan } = facts
  if (summary === null) {
    const killed = plan.kind === 'orchestrator-kill' && exit.signal === 'SIGKILL'
    return killed ? [] : [`no summary, exit ${exit.code ?? exit.signal}`]
  }
  const wanted = readmeExitStatus(summary)
  const departures =
    exit.code === wanted
      ? []
      : [`exit ${exit.code ?? exit.signal}, but outcome ${summary.outcome} means ${wanted}`]
  const allOk = summary.targets.every((t) => t.status === 'ok')
  if ((summary.outcome === 'ok') !== allOk)
    departures.push(
      `outcome ${summary.outcome} with targets ${summary.targets.map((t) => t.status).join(', ')}`,
    )
  if (summary.outcome === 'failed' && !summary.targets.some((t) => t.status === 'failed'))
    departures.push('outcome failed, but no target failed')
  if (summary.outcome === 'aborted' && plan.kind !== 'orchestrator-sigint' && !exit.timedOut)
    departures.push('outcome aborted, but the CLI was not interrupted')
  return departures
}

/** The README's "Exit status" table. */
export function readmeExitStatus(summary: Summary): number {
  switch (summary.outcome) {
    case 'ok':
      return 0
    case 'aborted':
      return 130
    case 'preflight-failed':
      return 255
    case 'failed':
      return summary.targets.some((t) => t.error?.code === 'VERIFY_FAILED') ? 3 : 1
  }
}

/** Differences on hosts the summary does not name in `leftovers` (the CLI said it could not clean those). */
function unreported(facts: RunFacts, differences: HostDifference[]): string[] {
  const reported = facts.summary?.leftovers ?? []
  const named = (host: string) => reported.some((l) => new RegExp(`\\b${host}\\b`).test(l))
  return differences.filter((d) => !named(d.host)).map((d) => `${d.host}: ${d.difference}`)
}

function cleanupRestores(facts: RunFacts): string[] {
  const { exitCode, after } = facts.cleanup
  const departures = exitCode === 0 ? [] : [`fanout cleanup exited ${exitCode}`]
  return [...departures, ...bedDifferences(facts, after, true).map((d) => `${d.host}: ${d.difference}`)]
}

function stagingKept(facts: RunFacts): string[] | null {
  const { injection } = facts
  if (injection === null) return null
  const due = facts.layout.targets.filter(
    (host) =>
      (injection.held[host] ?? 0) > 0 &&
      facts.copies.find((c) => c.host === host)?.landed !== true &&
      reportedTarget(facts, host)?.status !== 'ok',
  )
  if (due.length === 0) return null
  return due
    .filter((host) => !hasStaging(facts.settled[host]))
    .map(
      (host) =>
        `${host} held ${injection.held[host]} bytes at the fault, did not land, and kept no staging directory`,
    )
}
