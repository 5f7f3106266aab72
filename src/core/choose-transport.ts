import type { Transport } from '../config/defaults.js'

/**
 * How the bytes travel. A swarm is built for many targets; to one target a single stream is what
 * `tar | nc` does, with nothing to share, so `auto` streams there, as transfer.py did.
 */
export function chooseTransport(transport: Transport, targetCount: number): 'swarm' | 'stream' {
  if (transport !== 'auto') return transport
  return targetCount === 1 ? 'stream' : 'swarm'
}
