import { isFanoutError } from '../../shared/errors.js'
import { checkSource, checkTarget, type Problem } from '../core/checks.js'
import type { Endpoint } from '../core/endpoint.js'
import type { TransferPlan } from '../core/plan.js'
import type { Executor } from '../exec/executor.js'
import { gatherSourceFacts, gatherTargetFacts, missingCommands } from './gather-facts.js'
import type { HostPool } from './host-pool.js'

export interface PreflightOutcome {
  problems: Problem[]
  /** Payload size as the source host measured it (apparent size), 0 when unknown. */
  payloadBytes: number
}

/**
 * Every check that can fail before data moves, on every host at once: reachability, source, target
 * directories, destination names, free space, Node.js. Changes nothing anywhere.
 */
export async function preflight(
  plan: TransferPlan,
  pool: HostPool,
  signal?: AbortSignal,
  commands: readonly string[] = [],
): Promise<PreflightOutcome> {
  const missing = Promise.all(
    [plan.source, ...plan.targets].map((endpoint) =>
      askHost(pool, endpoint, signal, (exec) => missingCommands(exec, commands)),
    ),
  )
  const [source, ...targets] = await Promise.all([
    askHost(pool, plan.source, signal, (exec) => gatherSourceFacts(exec, plan.source.path)),
    ...plan.targets.map((target) =>
      askHost(pool, target, signal, (exec) => gatherTargetFacts(exec, target.path, plan.name)),
    ),
  ])
  if (source === undefined) throw new Error('unreachable: the source is always asked')
  const problems: Problem[] = []
  let payloadBytes = 0
  if ('problem' in source) problems.push(source.problem)
  else {
    problems.push(...checkSource(plan.source.spec, source.facts))
    payloadBytes = source.facts.bytes ?? 0
  }
  targets.forEach((answer, i) => {
    const target = plan.targets[i] as Endpoint
    if ('problem' in answer) problems.push(answer.problem)
    else problems.push(...checkTarget(target.spec, plan.name, answer.facts, payloadBytes))
  })
  for (const [i, answer] of (await missing).entries()) {
    const endpoint = i === 0 ? plan.source : (plan.targets[i - 1] as Endpoint)
    if ('facts' in answer && answer.facts.length > 0 && !problems.some((p) => p.endpoint === endpoint.spec)) {
      const names = answer.facts.join(', ')
      problems.push({
        code: 'CODEC_MISSING',
        endpoint: endpoint.spec,
        message: `${names} is not installed here (needed by --codec ${names})`,
      })
    }
  }
  return { problems, payloadBytes }
}

async function askHost<F>(
  pool: HostPool,
  endpoint: Endpoint,
  signal: AbortSignal | undefined,
  gather: (exec: Executor) => Promise<F>,
): Promise<{ facts: F } | { problem: Problem }> {
  try {
    return { facts: await gather(await pool.get(endpoint, signal)) }
  } catch (err) {
    if (!isFanoutError(err)) throw err
    return { problem: { code: err.code, endpoint: endpoint.spec, message: err.message } }
  }
}
