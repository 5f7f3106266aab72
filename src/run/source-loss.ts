import { FanoutError, isFanoutError } from '../../shared/errors.js'
import { piecesCovered } from '../core/swarm-coverage.js'
import type { TargetRun } from './target-run.js'
import type { SourceLoss, TransferState } from './transfer-state.js'

/** A target agent that cannot say what it holds in this long is left out of the count. */
const HOLDINGS_TIMEOUT_MS = 10_000

/**
 * Decides what the loss of the source's agent (killed, its host down, its SSH link cut) means for
 * the targets still fetching. Once the targets together hold every piece, nothing: they finish from
 * each other (the promise returned then never settles) and the run records when the source was
 * lost. Before that, it rejects with SOURCE_LOST, saying how much the swarm held; each target keeps
 * its staging copy for a rerun to resume.
 *
 * A hot backup that had not ended is another matter: the backup itself failed, and that failure
 * is what the targets report.
 */
export async function judgeSourceLoss(
  err: unknown,
  targets: readonly TargetRun[],
  deps: { state: TransferState; signal: AbortSignal; growingEnded: boolean | null },
): Promise<never> {
  // The user interrupted, or the source found its files changed: not a loss to survive.
  if (isFanoutError(err) && (err.code === 'ABORTED' || err.code === 'SOURCE_CHANGED')) throw err
  const reason = (err as Error).message
  if (deps.growingEnded === false) {
    throw new FanoutError('AGENT_FAILED', `the source failed: ${reason}`, {}, { cause: err })
  }
  const { state } = deps
  const seconds = (Date.now() - state.startedAt) / 1000
  const { held, pieces } = await swarmHoldings(targets, state, deps.signal)
  const survived = pieces !== null && held >= pieces
  // A hot backup is never taken twice alike, so its staging copies are not kept (fetch-target.ts).
  const resumable = deps.growingEnded === null
  state.sourceLost = { seconds, reason, heldPieces: held, pieces: pieces ?? 0, survived, resumable }
  if (survived) return new Promise<never>(() => {})
  throw new FanoutError('SOURCE_LOST', sourceLostMessage(state.sourceLost), {}, { cause: err })
}

function sourceLostMessage(loss: SourceLoss): string {
  const share = loss.pieces === 0 ? 0 : Math.floor((loss.heldPieces / loss.pieces) * 100)
  return (
    `the source was lost ${loss.seconds.toFixed(1)} s into the run (${loss.reason}); the targets ` +
    `held ${loss.heldPieces} of its ${loss.pieces} pieces (${share}%) between them, not enough to ` +
    `finish without it; ${loss.resumable ? 'a rerun resumes from what each target kept' : 'a new backup must be taken'}`
  )
}

/** The pieces the live targets hold between them, and how many the payload has (null: unknown). */
async function swarmHoldings(
  targets: readonly TargetRun[],
  state: TransferState,
  signal: AbortSignal,
): Promise<{ held: number; pieces: number | null }> {
  const asking = AbortSignal.any([signal, AbortSignal.timeout(HOLDINGS_TIMEOUT_MS)])
  const replies = await Promise.all(
    targets.map(async ({ index, channel }) => {
      const live = state.targets[index]?.state
      if (channel === undefined || live === 'failed' || live === 'aborted') return undefined
      const answer = channel.next('holdings', asking)
      channel.send({ type: 'holdings' })
      return answer.catch(() => undefined)
    }),
  )
  const answered = replies.filter((reply) => reply !== undefined)
  const counts = answered.map((reply) => reply.pieces)
  const pieces = counts.length === 0 || counts.includes(null) ? null : Math.max(...(counts as number[]))
  if (pieces === null) return { held: 0, pieces }
  const bitfields = answered.map((reply) => Buffer.from(reply.bitfield, 'base64'))
  return { held: piecesCovered(bitfields, pieces), pieces }
}
