import type { Cluster } from '../../test/helpers/cluster.js'
import { type Finished, spawnMeasured } from './host-process.js'
import { waitForListener } from './listening.js'

/** One TCP pipe from a sender command on one host into a receiver command on another. */
export interface PipeSpec {
  from: string
  to: string
  /** Shell text whose stdout is sent, e.g. `tar cf - -C /srv/src payload`. */
  send: string
  /** Shell text that reads what arrives on stdin, e.g. `tar xf - -C /srv/recv`. */
  receive: string
  port: number
  timeoutMs: number
}

/** Both ends of a finished pipe, with GNU time's usage of each. */
export interface PipeResult {
  sender: Finished
  receiver: Finished
}

/**
 * Runs `receive` behind `nc -l` on the target, waits (polling, bounded) until it listens, then runs
 * `send | nc` on the source, the way transfer.py moves data (its pipelines, with polling in place of
 * its `sleep 3`).
 */
export async function pipeCopy(cluster: Cluster, spec: PipeSpec): Promise<PipeResult> {
  const address = cluster.hosts.find((h) => h.name === spec.to)?.address
  if (address === undefined) throw new Error(`no host ${spec.to}`)
  const opts = { timed: true, timeoutMs: spec.timeoutMs }
  // -d: the listener has no stdin here; it exits when the sender closes the connection.
  const receiverScript = `set -o pipefail; nc -4 -l -d -n ${spec.port} | ${spec.receive}`
  const receiver = spawnMeasured(
    (argv) => cluster.hostArgv(spec.to, argv),
    ['bash', '-c', receiverScript],
    opts,
  )
  try {
    await waitForListener(receiver.pid, spec.port)
  } catch (err) {
    await receiver.stop(1_000)
    throw err
  }
  // transfer.py's sender: `nc -4 -q 0 -w 300`, which closes the connection at the end of its input.
  const senderScript = `set -o pipefail; ${spec.send} | nc -4 -n -q 0 -w 300 ${address} ${spec.port}`
  const sender = spawnMeasured(
    (argv) => cluster.hostArgv(spec.from, argv),
    ['bash', '-c', senderScript],
    opts,
  )
  const sent = await sender.done
  // A sender that failed leaves the listener waiting for a connection that never comes.
  const received = sent.exitCode === 0 ? await receiver.done : await receiver.stop(1_000)
  for (const [what, end] of [
    ['sender', sent],
    ['receiver', received],
  ] as const) {
    if (end.exitCode !== 0)
      throw new Error(`${what} ${spec.from}->${spec.to} exited ${end.exitCode}: ${end.stderr.slice(-500)}`)
  }
  return { sender: sent, receiver: received }
}
