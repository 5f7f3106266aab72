import { loadavg } from 'node:os'
import { addUsage, maxUsage, totalCpu, type Usage } from '../lib/host-process.js'
import { type PipeResult, pipeCopy } from '../lib/pipe-copy.js'
import type { CopyJob, Measurement } from './measurement.js'

const BASE_PORT = 7100

/** The shell ends of a tar pipe, with or without pigz compressing in between. */
function tarEnds(job: CopyJob, pigz: boolean): { send: string; receive: string } {
  const send = `tar cf - -C ${job.dir} ${job.name}`
  const receive = `tar xf - -C ${job.targetDir}`
  return pigz ? { send: `${send} | pigz -c`, receive: `pigz -dc | ${receive}` } : { send, receive }
}

/**
 * transfer.py's way: one target after another, `tar | nc` into `nc -l | tar x`. The copies are
 * independent, so the time for the first k targets of one run is the time for k targets: one run
 * to the largest count gives a row for every count in `checkpoints`.
 */
export async function serialPipes(
  job: CopyJob,
  pigz: boolean,
  checkpoints: readonly number[],
): Promise<Measurement[]> {
  const method = pigz ? 'tar|pigz|nc, serial' : 'tar|nc, serial'
  const rows: Measurement[] = []
  const started = performance.now()
  let source: Usage | undefined
  const received: (Usage | undefined)[] = []
  for (const [i, target] of job.targets.entries()) {
    const result = await pipeCopy(job.cluster, {
      from: job.source,
      to: target,
      ...tarEnds(job, pigz),
      port: BASE_PORT,
      timeoutMs: job.timeoutMs,
    })
    source = addUsage(source, result.sender.usage)
    received.push(result.receiver.usage)
    if (checkpoints.includes(i + 1)) {
      const seconds = (performance.now() - started) / 1000
      const targetCpuTotal = totalCpu(received)
      const [loadAverage = 0] = loadavg()
      rows.push({
        method,
        targets: i + 1,
        seconds,
        source,
        targetMax: maxUsage(received),
        targetCpuTotal,
        loadAverage,
      })
    }
  }
  return rows
}

/** Every target at once from the source: N pipes share the source's uplink. */
export async function parallelPipes(job: CopyJob, pigz: boolean): Promise<Measurement> {
  const started = performance.now()
  const results: PipeResult[] = await Promise.all(
    job.targets.map((target, i) =>
      pipeCopy(job.cluster, {
        from: job.source,
        to: target,
        ...tarEnds(job, pigz),
        port: BASE_PORT + i,
        timeoutMs: job.timeoutMs,
      }),
    ),
  )
  const seconds = (performance.now() - started) / 1000
  return {
    method: pigz ? 'tar|pigz|nc, parallel' : 'tar|nc, parallel',
    targets: job.targets.length,
    seconds,
    source: results.map((r) => r.sender.usage).reduce(addUsage, undefined),
    targetMax: maxUsage(results.map((r) => r.receiver.usage)),
    targetCpuTotal: totalCpu(results.map((r) => r.receiver.usage)),
  }
}
