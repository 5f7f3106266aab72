import type { Sample } from './sampler.js'

/** TCP payload per full segment at the bed's MTU of 1500 with timestamps: what one retransmission resends. */
const MSS_BYTES = 1448

/** How a swarm run spent its time, from link counters (so protocol overhead counts as data). */
export interface ProgressSummary {
  /** Seconds until the targets together had received 2% of one copy: start-up before data flows. */
  startupSeconds: number
  /** Per target: seconds until it had received 50% and 100% of S (first and last target). */
  half: { first: number; last: number }
  full: { first: number; last: number }
  /** Bytes the source sent, in copies of S. */
  sourceUpload: number
  /**
   * TCP retransmissions by the source (segments of the MSS), in copies of S: resent by TCP, not
   * sent twice by the swarm. Counts also segments whose first copy the host's own shaper dropped,
   * which never reached the link counter, so it is no part of `sourceUpload` to subtract.
   */
  sourceResent: number
  /** Bytes all targets sent, in copies of S: what the swarm carried besides the source. */
  targetUpload: number
  /** Targets' mean download rate while data flowed (startup to the last full copy), as a share of B. */
  downloadUtilisation: number
  /** Each target's received share of S at every 10% of the run's wall time, for a small chart. */
  deciles: number[][]
  /**
   * Bytes each host's link received and sent during the run, source first: what it moved, for CPU
   * per byte moved. Link counters, so headers and protocol overhead count too.
   */
  hostBytes: HostBytes[]
}

/** One host's link bytes over a run. */
export interface HostBytes {
  host: string
  role: 'source' | 'target'
  received: number
  sent: number
}

/**
 * Summarises counter samples of a run. `bytes` is S; a target counts as full once it received S
 * on its link (headers make that slightly early, which the verified end time then corrects).
 */
export function summarizeProgress(
  samples: readonly Sample[],
  source: string,
  targets: readonly string[],
  bytes: number,
  linkBytesPerSecond: number,
): ProgressSummary | undefined {
  const first = samples[0]
  const last = samples.at(-1)
  if (first === undefined || last === undefined || targets.length === 0) return undefined
  const rx = (s: Sample, h: string) => (s.hosts.get(h)?.rx ?? 0) - (first.hosts.get(h)?.rx ?? 0)
  const tx = (s: Sample, h: string) => (s.hosts.get(h)?.tx ?? 0) - (first.hosts.get(h)?.tx ?? 0)
  const resent = (s: Sample, h: string) =>
    (s.hosts.get(h)?.retransmittedSegments ?? 0) - (first.hosts.get(h)?.retransmittedSegments ?? 0)
  const whenAll = (h: string, share: number) =>
    samples.find((s) => rx(s, h) >= share * bytes)?.t ?? Number.NaN
  const startup =
    samples.find((s) => targets.reduce((sum, h) => sum + rx(s, h), 0) >= 0.02 * bytes)?.t ?? Number.NaN
  const halves = targets.map((h) => whenAll(h, 0.5))
  const fulls = targets.map((h) => whenAll(h, 1))
  const lastFull = Math.max(...fulls)
  const received = targets.reduce((sum, h) => sum + rx(last, h), 0)
  return {
    startupSeconds: startup,
    half: { first: Math.min(...halves), last: Math.max(...halves) },
    full: { first: Math.min(...fulls), last: lastFull },
    sourceUpload: tx(last, source) / bytes,
    sourceResent: (resent(last, source) * MSS_BYTES) / bytes,
    targetUpload: targets.reduce((sum, h) => sum + tx(last, h), 0) / bytes,
    downloadUtilisation: received / targets.length / (lastFull - startup) / linkBytesPerSecond,
    deciles: targets.map((h) => decileShares(samples, last.t, (s) => rx(s, h) / bytes)),
    hostBytes: [source, ...targets].map((h) => ({
      host: h,
      role: h === source ? 'source' : 'target',
      received: rx(last, h),
      sent: tx(last, h),
    })),
  }
}

function decileShares(samples: readonly Sample[], end: number, share: (s: Sample) => number): number[] {
  return Array.from({ length: 10 }, (_, i) => {
    const at = (end * (i + 1)) / 10
    const sample = samples.findLast((s) => s.t <= at) ?? samples[0]
    return sample === undefined ? 0 : Math.min(1, share(sample))
  })
}
