import { FAULT_KINDS, type FaultKindInfo } from './fault-kinds.js'
import { type RunFacts, reportedTarget } from './soak-facts.js'

/**
 * How the run's outcome departs from what the README promises for its fault, one line per
 * departure; null when the fault never went in (the CLI ended first), so nothing was promised.
 *
 * - A target fault (README "When a target fails"): that target fails with its kind's code, every
 *   other target is ok, exit 1. A victim whose copy had landed before the fault may end either way.
 * - The source lost once a target has landed (README "When the source is lost"): the swarm holds
 *   every piece, so every target is ok, exit 0, and a reported loss says the swarm survived it.
 * - SIGINT: exit 130, every target ok or aborted (exit 0 if every copy had landed first).
 * - kill -9 of the CLI: no summary, killed by SIGKILL.
 *
 * A fault that does not touch the source must not make the summary report the source lost.
 */
export function outcomeDepartures(facts: RunFacts): string[] | null {
  if (facts.injection === null) return null
  const info = FAULT_KINDS[facts.plan.kind]
  if (facts.plan.kind === 'orchestrator-kill') return killedCli(facts)
  if (facts.summary === null) return [`no summary (${describeExit(facts)})`]
  switch (info.victim) {
    case 'target':
      return [...targetFault(facts, info), ...sourceUntouched(facts)]
    case 'source':
      return sourceLoss(facts)
    case 'orchestrator':
      return [...interrupted(facts), ...sourceUntouched(facts)]
  }
}

/** The source was left alone, so the summary must not say it was lost (its orderly stop is no loss). */
function sourceUntouched(facts: RunFacts): string[] {
  const lost = facts.summary?.sourceLost
  return lost === undefined
    ? []
    : [`the summary reports the source lost (${lost.reason}), but the fault did not touch it`]
}

function targetFault(facts: RunFacts, info: FaultKindInfo): string[] {
  const { victim } = facts.plan
  const victimLanded = facts.injection?.landed.includes(victim) === true
  const departures = facts.layout.targets.flatMap((host) => {
    const reported = reportedTarget(facts, host)
    const status = reported?.status ?? 'missing'
    if (host !== victim) return status === 'ok' ? [] : [`${host} is ${statusText(facts, host)}, expected ok`]
    if (victimLanded) return status === 'ok' || status === 'failed' ? [] : [`${host} (landed) is ${status}`]
    const code = reported?.error?.code
    if (status === 'failed' && code !== undefined && (info.codes as readonly string[]).includes(code))
      return []
    return [`${host} is ${statusText(facts, host)}, expected failed with ${info.codes.join(' or ')}`]
  })
  const exitWanted = victimLanded ? [0, 1] : [1]
  if (!exitWanted.includes(facts.exit.code ?? -1))
    departures.push(`exit ${describeExit(facts)}, expected ${exitWanted.join(' or ')}`)
  return departures
}

function sourceLoss(facts: RunFacts): string[] {
  const departures = facts.layout.targets
    .filter((host) => reportedTarget(facts, host)?.status !== 'ok')
    .map((host) => `${host} is ${statusText(facts, host)}, expected ok`)
  if (facts.exit.code !== 0) departures.push(`exit ${describeExit(facts)}, expected 0`)
  if (facts.summary?.sourceLost?.survived === false) departures.push('sourceLost.survived is false')
  return departures
}

function interrupted(facts: RunFacts): string[] {
  const allLanded = facts.layout.targets.every((h) => facts.injection?.landed.includes(h))
  const wanted = allLanded ? [130, 0] : [130]
  const departures = facts.layout.targets
    .filter((host) => !['ok', 'aborted'].includes(reportedTarget(facts, host)?.status ?? 'missing'))
    .map((host) => `${host} is ${statusText(facts, host)}, expected ok or aborted`)
  if (!wanted.includes(facts.exit.code ?? -1))
    departures.push(`exit ${describeExit(facts)}, expected ${wanted.join(' or ')}`)
  return departures
}

function killedCli(facts: RunFacts): string[] {
  const departures = facts.summary === null ? [] : ['a summary was printed although the CLI was killed']
  if (facts.exit.signal !== 'SIGKILL') departures.push(`exit ${describeExit(facts)}, expected SIGKILL`)
  return departures
}

/** `failed (STALLED)`, `ok`, or `missing` for a target the summary does not list. */
export function statusText(facts: RunFacts, host: string): string {
  const reported = reportedTarget(facts, host)
  if (reported === undefined) return 'missing'
  return reported.error === undefined ? reported.status : `${reported.status} (${reported.error.code})`
}

/** `1`, `130`, or `SIGKILL`. */
export function describeExit(facts: RunFacts): string {
  const { code, signal, timedOut } = facts.exit
  const how = code !== null ? String(code) : (signal ?? 'unknown')
  return timedOut ? `${how}, after the soak's time limit` : how
}
