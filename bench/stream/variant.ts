import { runTimeoutMs, say } from '../lib/copy-run.js'
import { verifyCopies } from '../lib/digest.js'
import type { CopyJob } from '../methods/measurement.js'
import { serialPipes } from '../methods/pipes.js'
import { resetTargets, SOURCE_DIR, TARGET_DIR } from '../payload.js'
import { type Noise, noiseNow } from './noise.js'
import type { Pair, Payload } from './pair.js'
import { runFanoutFlags } from './run-fanout-flags.js'

/** One way of copying the payload from h0 to h1: fanout with some flags, or a tar pipe. */
export type Variant =
  | { label: string; kind: 'fanout'; flags: readonly string[] }
  | { label: string; kind: 'pipe'; pigz: boolean }

/** One run of one variant. */
export interface Sample {
  seconds: number
  /** Bytes the target's link received during the run (TCP/IP headers and SSH included). */
  linkBytes: number
  /** fanout stream: its own count of bytes on the connection, after compression. */
  wireBytes?: number | undefined
  readBackSeconds?: number | undefined
  /** Source and target processes together. */
  cpuSeconds?: number | undefined
  /** fanout: the transport its summary says it used. */
  transport?: string | undefined
  /** The machine's load and other clusters when the run ended. */
  noise?: Noise
  failed?: string
}

// Unshaped links have no B to bound a run by; this one leaves any sane run plenty of time.
const UNSHAPED_FLOOR = 12.5e6

/**
 * Runs one variant on an emptied target, checks the copy against the source's digest (untimed),
 * and empties the target again so its tmpfs memory is free for the next run. A failure becomes a
 * sample saying why: one broken variant must not cost the others.
 */
export async function runVariant(pair: Pair, payload: Payload, variant: Variant): Promise<Sample> {
  const { cluster } = pair
  await resetTargets(cluster, ['h1'])
  const timeoutMs = runTimeoutMs(payload.bytes, pair.linkBytesPerSecond ?? UNSHAPED_FLOOR, 1)
  const rxBefore = await pair.targetRx()
  let sample: Sample
  try {
    sample =
      variant.kind === 'fanout'
        ? await fanout(pair, payload, variant.flags, timeoutMs)
        : await pipe(pair, payload, variant.pigz, timeoutMs)
    sample.linkBytes = (await pair.targetRx()) - rxBefore
    if (sample.failed === undefined)
      await verifyCopies(cluster, ['h1'], TARGET_DIR, payload.name, payload.digest)
  } catch (err) {
    sample = { seconds: Number.NaN, linkBytes: 0, failed: String(err).slice(0, 600) }
  }
  sample.noise = await noiseNow(cluster.id)
  await resetTargets(cluster, ['h1'])
  const cpu = sample.cpuSeconds === undefined ? '' : `, CPU ${sample.cpuSeconds.toFixed(1)} s`
  say(
    `${variant.label} (${payload.name}): ${sample.seconds.toFixed(1)} s${cpu}${sample.failed ? ` FAILED: ${sample.failed}` : ''}`,
  )
  return sample
}

async function fanout(
  pair: Pair,
  payload: Payload,
  flags: readonly string[],
  timeoutMs: number,
): Promise<Sample> {
  const ends = { source: `h0:${SOURCE_DIR}/${payload.name}`, target: `h1:${TARGET_DIR}` }
  const run = await runFanoutFlags(pair.cluster, pair.cli, flags, ends, timeoutMs)
  return { ...run, linkBytes: 0 }
}

async function pipe(pair: Pair, payload: Payload, pigz: boolean, timeoutMs: number): Promise<Sample> {
  const job: CopyJob = {
    cluster: pair.cluster,
    source: 'h0',
    targets: ['h1'],
    dir: SOURCE_DIR,
    name: payload.name,
    targetDir: TARGET_DIR,
    bytes: payload.bytes,
    linkBytesPerSecond: pair.linkBytesPerSecond ?? UNSHAPED_FLOOR,
    timeoutMs,
  }
  const [row] = await serialPipes(job, pigz, [1])
  if (row === undefined) throw new Error('the pipe returned no measurement')
  const source = row.source?.cpuSeconds
  const target = row.targetCpuTotal
  return {
    seconds: row.seconds,
    linkBytes: 0,
    cpuSeconds: source === undefined || target === undefined ? undefined : source + target,
  }
}

/**
 * Runs every variant `rounds` times, reversing the order each round so that whatever else the
 * machine is doing at a time hits every variant alike. Returns the samples in `variants` order.
 */
export async function runRounds(
  pair: Pair,
  payload: Payload,
  variants: readonly Variant[],
  rounds: number,
): Promise<Sample[][]> {
  const samples: Sample[][] = variants.map(() => [])
  for (let round = 0; round < rounds; round++) {
    const order = variants.map((_, i) => i)
    if (round % 2 === 1) order.reverse()
    for (const i of order) {
      const variant = variants[i]
      if (variant !== undefined) samples[i]?.push(await runVariant(pair, payload, variant))
    }
  }
  return samples
}
