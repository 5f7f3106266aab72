import type { Transport } from '../config/defaults.js'

/**
 * How the bytes travel. A swarm is built for many targets; to one target a single stream is what
 * `tar | nc` does, with nothing to share, so `auto` streams there, as transfer.py did. With a base
 * (`incremental`) only the swarm can skip what a target already holds, so `auto` is the swarm.
 */
export function chooseTransport(
  transport: Transport,
  targetCount: number,
  opts: { incremental?: boolean } = {},
): 'swarm' | 'stream' {
  if (transport !== 'auto') return transport
  return targetCount === 1 && opts.incremental !== true ? 'stream' : 'swarm'
}
