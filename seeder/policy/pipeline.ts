/** Requests kept in flight per wire: enough blocks for this many seconds at the wire's current rate. */
export const PIPELINE_MIN_SECONDS = 0.5
export const PIPELINE_MAX_SECONDS = 1
/**
 * And never more than this many bytes per wire. The peer reads every block asked of it at once and
 * holds it until its socket takes it, so a second's worth at 1 Gbit/s put 120 MiB in the source's
 * memory (peak RSS 312-338 MiB, `bench/payload-size.ts --mbit 1000 --targets 1`; 146-164 MiB with
 * this cap, and the run 13% faster). 8 MiB in flight still allows 8 MiB per round trip: 1.5 Gbit/s
 * over the bench's 45 ms WAN.
 */
export const PIPELINE_MAX_BYTES = 8 * 1024 * 1024

/**
 * How many block requests to keep in flight on a wire: webtorrent's rule (two, plus `seconds` at the
 * wire's current rate), capped at PIPELINE_MAX_BYTES and at what the peer said it accepts (`reqq`).
 */
export function pipelineLength(
  bytesPerSecond: number,
  seconds: number,
  blockLength: number,
  reqq?: unknown,
): number {
  const byRate = 2 + Math.ceil((seconds * bytesPerSecond) / blockLength)
  const length = Math.min(byRate, Math.max(1, Math.floor(PIPELINE_MAX_BYTES / blockLength)))
  return typeof reqq === 'number' && reqq > 0 ? Math.min(length, reqq) : length
}
