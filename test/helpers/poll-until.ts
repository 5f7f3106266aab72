import { setTimeout as delay } from 'node:timers/promises'

/** Options for {@link pollUntil}. */
export interface PollOptions {
  /** Gives up after this long. */
  timeoutMs: number
  /** Pause between two probes. */
  intervalMs?: number
}

/**
 * Calls `probe` until it returns a value other than `undefined`, and returns that value. A probe that
 * throws is retried like one that returned `undefined`; the last error becomes the timeout's cause, so
 * a readiness check that keeps failing explains why. Bounded by `timeoutMs`, never by a fixed sleep.
 */
export async function pollUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  { timeoutMs, intervalMs = 50 }: PollOptions,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  for (;;) {
    try {
      const value = await probe()
      if (value !== undefined) return value
    } catch (err) {
      lastError = err
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError })
    }
    await delay(intervalMs)
  }
}
