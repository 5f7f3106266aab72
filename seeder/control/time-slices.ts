import { setImmediate as yieldToEventLoop } from 'node:timers/promises'

/** Long enough to amortize the yield, short enough that pings and sockets never wait noticeably. */
const SLICE_MS = 20

/**
 * For loops of many small synchronous filesystem calls, which cost far less made directly than
 * through the libuv thread pool (see payload-store.ts) but must not hold the event loop for long:
 * the agent still has to read its channel, whose silence would otherwise look like a lost
 * orchestrator, and serve its sockets. The returned function is awaited after each step; it hands
 * control back to the event loop once the current slice has run for SLICE_MS, and otherwise
 * returns nothing to wait for.
 */
export function timeSlices(sliceMs = SLICE_MS): () => Promise<void> | undefined {
  let sliceEnd = performance.now() + sliceMs
  return () => {
    if (performance.now() < sliceEnd) return undefined
    return yieldToEventLoop().then(() => {
      sliceEnd = performance.now() + sliceMs
    })
  }
}
