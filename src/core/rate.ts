import { FanoutError } from '../../shared/errors.js'

const UNITS: Record<string, number> = {
  '': 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  kbit: 1000 / 8,
  mbit: 1e6 / 8,
  gbit: 1e9 / 8,
}

/**
 * Parses a rate for --bwlimit into bytes per second: a number with an optional unit, `K`/`M`/`G`
 * for KiB/MiB/GiB per second (rsync's and curl's habit) or `Kbit`/`Mbit`/`Gbit` for the link speeds
 * network people quote. `100Mbit` and `12M` are both accepted; a bare number is bytes per second.
 */
export function parseRate(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmg](?:bit)?|)\s*(?:\/s|ps)?\s*$/i.exec(text)
  const unit = UNITS[(match?.[2] ?? '').toLowerCase()]
  const bytes = match === null || unit === undefined ? Number.NaN : Number(match[1]) * unit
  if (!Number.isFinite(bytes) || bytes < 1) {
    throw new FanoutError('USAGE', `not a rate: ${JSON.stringify(text)} (examples: 100Mbit, 12M, 500K)`)
  }
  return Math.floor(bytes)
}
