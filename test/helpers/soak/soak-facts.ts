import type { FaultPlan } from './plan-faults.js'

/** The part of `fanout --json` the soak judges. */
export interface Summary {
  outcome: 'ok' | 'preflight-failed' | 'failed' | 'aborted'
  targets: { target: string; status: string; error?: { code: string; message: string } }[]
  /** Cleanup steps that failed, e.g. `stop agent on h2`. */
  leftovers: string[]
  sourceLost?: { survived: boolean; heldPieces: number; pieces: number; reason: string }
}

/** What fanout may leave on a host; the same record describes the host before the run. */
export interface HostState {
  /** Command lines of the processes in its network namespace (the cluster's own sshd and anchor aside), sorted. */
  processes: string[]
  /** Entries of its /srv, the disk copies land on, sorted. */
  srv: string[]
  /** Entries of its TMPDIR, where shipped agents live, sorted. */
  tmp: string[]
  /** `nft list ruleset`: the firewall, which agents open holes in. */
  ruleset: string
}

/** Every host's state by name; the admin namespace, where the CLI runs, is `admin`. */
export type BedState = Record<string, HostState>

/** What the soak's cluster looks like: enough to judge a run without asking it. */
export interface BedLayout {
  source: string
  targets: readonly string[]
  /** The target directory on every target, e.g. `/srv`. */
  dir: string
  /** The payload's name, on the source and under `dir` once landed. */
  name: string
}

/** A target's final name after the run. */
export interface TargetCopy {
  host: string
  /** Something exists under the final name. */
  landed: boolean
  /** It is a byte-exact copy of the source (false when nothing landed). */
  exact: boolean
}

/** The moment the fault went in. */
export interface Injection {
  /** From the CLI's start. */
  seconds: number
  /** Targets whose copy had landed just before the fault. */
  landed: string[]
  /** Bytes each target held in its staging directory just before the fault. */
  held: Record<string, number>
}

/** How the CLI ended. */
export interface CliExit {
  code: number | null
  signal: string | null
  /** The soak's bound on a run ran out and the CLI was stopped. */
  timedOut: boolean
  seconds: number
  /** The last lines of its stderr, for the report. */
  stderrTail: string
}

/** Everything observed in one run, gathered before any judgement. */
export interface RunFacts {
  plan: FaultPlan
  layout: BedLayout
  /** Null when the CLI ended (or the trigger never came) before the fault could go in. */
  injection: Injection | null
  /** Why the fault did not go in, when it did not. */
  missed?: string
  exit: CliExit
  /** The parsed `--json` summary; null when there was none (kill -9 of the CLI). */
  summary: Summary | null
  copies: TargetCopy[]
  /** Every host before the soak's first run, and what each run must return to. */
  baseline: BedState
  /** At the CLI's exit, after a few seconds' grace for SSH sessions to close. */
  atExit: BedState
  /** Once clean, or when the settling deadline passed (agents cut off stop after their idle timeout). */
  settled: BedState
  /** Seconds from the CLI's exit until `settled` was taken. */
  settledAfter: number
  /** `fanout cleanup` on every host afterwards: its exit status, what it removed, and the state it left. */
  cleanup: { exitCode: number; removed: string[]; after: BedState }
}

/** What the hosts are judged against: enough to say what each host may keep. */
export type JudgingBasis = Pick<RunFacts, 'layout' | 'copies' | 'summary' | 'baseline'>

/** The summary in the CLI's stdout, or null if there is none or it is not one. */
export function parseSummary(stdout: string): Summary | null {
  let parsed: unknown
  try {
    parsed = JSON.parse(stdout)
  } catch {
    return null
  }
  if (typeof parsed !== 'object' || parsed === null) return null
  const { outcome, targets, leftovers } = parsed as Partial<Summary>
  if (typeof outcome !== 'string' || !Array.isArray(targets) || !Array.isArray(leftovers)) return null
  return parsed as Summary
}

/** `h1:/srv` for host `h1`: how the CLI and its summary name a target. */
export function targetSpec(layout: BedLayout, host: string): string {
  return `${host}:${layout.dir}`
}

/** The summary's record for a target host, if any. */
export function reportedTarget(
  facts: Pick<RunFacts, 'summary' | 'layout'>,
  host: string,
): Summary['targets'][number] | undefined {
  return facts.summary?.targets.find((t) => t.target === targetSpec(facts.layout, host))
}
