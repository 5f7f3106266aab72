import type { HostSpec } from '../../test/helpers/cluster.js'

/** One host of an uneven layout and its link rate in each direction. */
export interface UnevenHost {
  name: string
  /** What the host can send, Mbit/s. */
  upMbit: number
  /** What the host can receive, Mbit/s. */
  downMbit: number
}

/** Hosts with unequal links: one source, the rest targets. */
export interface UnevenLayout {
  /** The report's name for it: '4:1' or 'spread'. */
  name: string
  /** One line for the report: which links are slower. */
  description: string
  source: UnevenHost
  targets: UnevenHost[]
}

const SPREAD_DIVISORS = [1, 2, 4, 10]

/**
 * The layouts of the uneven section at link rate B. '4:1': three targets, one of which receives at
 * a quarter of B (a slow disk or port on one host). 'spread': four targets whose links run at B,
 * B/2, B/4 and B/10. The source sends at B in both, so a fast target's bound stays S/B.
 */
export function unevenLayouts(mbit: number): UnevenLayout[] {
  const even = (name: string, rate: number): UnevenHost => ({ name, upMbit: rate, downMbit: rate })
  return [
    {
      name: '4:1',
      description: `source h0 and targets h1–h3 at ${rate(mbit)} Mbit/s both ways, except that h3 receives at ${rate(mbit / 4)} Mbit/s`,
      source: even('h0', mbit),
      targets: [even('h1', mbit), even('h2', mbit), { name: 'h3', upMbit: mbit, downMbit: mbit / 4 }],
    },
    {
      name: 'spread',
      description: `source h0 at ${rate(mbit)} Mbit/s; targets h1–h4 at ${SPREAD_DIVISORS.map((d) => rate(mbit / d)).join(', ')} Mbit/s, both ways`,
      source: even('h0', mbit),
      targets: SPREAD_DIVISORS.map((d, i) => even(`h${i + 1}`, mbit / d)),
    },
  ]
}

/** The cluster's host specs: `rateMbit` both ways, `downloadMbit` where a host receives slower. */
export function layoutSpecs(layout: UnevenLayout, diskMiB: number): HostSpec[] {
  return [layout.source, ...layout.targets].map((h) => ({
    name: h.name,
    diskMiB,
    rateMbit: h.upMbit,
    ...(h.downMbit === h.upMbit ? {} : { downloadMbit: h.downMbit }),
  }))
}

/**
 * A lower bound on a target's time for `bytes`: it receives no faster than its own download link,
 * and no byte reaches it before the source has sent that byte once, through its upload link.
 */
export function ownBoundSeconds(bytes: number, layout: UnevenLayout, target: UnevenHost): number {
  return (bytes * 8) / (Math.min(target.downMbit, layout.source.upMbit) * 1e6)
}

/** A rate as the report writes it: `25`, `12.5`. */
export function rate(mbit: number): string {
  return String(Number(mbit.toFixed(1)))
}
