import type { Duplex, Readable } from 'node:stream'

/**
 * Pipes each stream into the next and returns the last one's readable end; a failure anywhere
 * destroys the last with that error, so whoever reads the end hears of it.
 */
export function chain(first: Readable, rest: Duplex[]): Readable {
  const last = rest.at(-1) ?? first
  let previous: Readable = first
  for (const stage of rest) {
    previous.on('error', (err) => last.destroy(err))
    previous.pipe(stage)
    previous = stage
  }
  return last
}
