/**
 * Like Promise.all, but waits for every promise to settle before rejecting with the first failure.
 * Cleanup relies on it: a step still running after a sibling failed could register an undo after the
 * cleanup stack was already unwound, and what it made would then leak.
 */
export async function settleAll<T>(promises: readonly Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(promises)
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed !== undefined) throw failed.reason
  return results.map((r) => (r as PromiseFulfilledResult<T>).value)
}
