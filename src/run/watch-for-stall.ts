import { FanoutError } from '../../shared/errors.js'

/**
 * Rejects `stalled` when `progress()` has not grown for `timeoutMs`. A swarm that has stopped moving
 * (a peer behind a closed port, a wedged disk) must fail the target with a reason, never hang.
 */
export function watchForStall(
  progress: () => number,
  timeoutMs: number,
): { stalled: Promise<never>; stop: () => void } {
  let last = progress()
  let lastChange = Date.now()
  let timer: NodeJS.Timeout | undefined
  const stalled = new Promise<never>((_, reject) => {
    timer = setInterval(
      () => {
        const now = progress()
        if (now !== last) {
          last = now
          lastChange = Date.now()
        } else if (Date.now() - lastChange >= timeoutMs) {
          clearInterval(timer)
          reject(new FanoutError('STALLED', `no data arrived for ${Math.round(timeoutMs / 1000)} s`))
        }
      },
      Math.min(1000, timeoutMs),
    )
    timer.unref()
  })
  stalled.catch(() => {})
  return { stalled, stop: () => clearInterval(timer) }
}
