import type { Cluster } from '../../test/helpers/cluster.js'
import { spawnMeasured } from '../lib/host-process.js'

/** The part of fanout's `--json` summary this benchmark reads. */
interface StreamSummary {
  outcome: string
  transport?: string
  targets: { target: string; status: string; wireBytes?: number; readBackSeconds?: number }[]
  usage?: { role: 'source' | 'target'; cpuSeconds: number }[]
}

/** One fanout run to one target, as bench/stream.ts reports it. */
export interface FanoutOutcome {
  seconds: number
  transport: string | undefined
  /** fanout's own count of bytes on the connection (stream only; after compression). */
  wireBytes: number | undefined
  readBackSeconds: number | undefined
  /** The source's and the target's agents together, from `usage` in the summary. */
  cpuSeconds: number | undefined
  /** Set when the run did not end with the target holding a copy. */
  failed?: string
}

/** Where the payload is and where it goes: `host:path` on the command line. */
export interface FanoutEnds {
  source: string
  target: string
}

/**
 * Runs the fanout CLI from the admin namespace with `flags` and `--json`, timing the whole run
 * (SSH, shipping the agents, the transfer and its check, cleanup), as a user would see it.
 */
export async function runFanoutFlags(
  cluster: Cluster,
  cli: string,
  flags: readonly string[],
  ends: FanoutEnds,
  timeoutMs: number,
): Promise<FanoutOutcome> {
  const argv = ['node', cli, '--json', '--no-progress', '--ssh-config', cluster.sshConfigPath, ...flags]
  const started = performance.now()
  const run = spawnMeasured((a) => cluster.adminArgv(a), [...argv, ends.source, ends.target], { timeoutMs })
  const finished = await run.done
  const seconds = (performance.now() - started) / 1000
  const summary = parse(finished.stdout)
  const target = summary?.targets[0]
  const usage = summary?.usage
  const ok = finished.exitCode === 0 && summary?.outcome === 'ok'
  const why = finished.stderr.trim().split('\n').slice(-3).join(' / ')
  return {
    seconds,
    transport: summary?.transport,
    wireBytes: target?.wireBytes,
    readBackSeconds: target?.readBackSeconds,
    cpuSeconds: usage?.reduce((sum, u) => sum + u.cpuSeconds, 0),
    ...(ok ? {} : { failed: `fanout exited ${finished.exitCode} after ${seconds.toFixed(0)} s: ${why}` }),
  }
}

function parse(stdout: string): StreamSummary | undefined {
  try {
    return JSON.parse(stdout) as StreamSummary
  } catch {
    return undefined
  }
}
