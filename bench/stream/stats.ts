import type { Sample } from './variant.js'

/** The median of several runs and their range; an even count takes the mean of the middle two. */
export interface Spread {
  median: number
  min: number
  max: number
  count: number
}

/**
 * The spread of one figure over the runs that succeeded and have it; undefined if none has. Any
 * bench's samples will do (bench/database's too): all it asks is whether a run failed.
 */
export function spread<S extends { failed?: string | undefined } = Sample>(
  samples: readonly S[],
  pick: (s: S) => number | undefined,
): Spread | undefined {
  const values = samples
    .filter((s) => s.failed === undefined)
    .map(pick)
    .filter((v): v is number => v !== undefined && Number.isFinite(v))
    .sort((a, b) => a - b)
  if (values.length === 0) return undefined
  const middle = (values.length - 1) / 2
  const median = ((values[Math.floor(middle)] ?? 0) + (values[Math.ceil(middle)] ?? 0)) / 2
  return { median, min: values[0] ?? median, max: values.at(-1) ?? median, count: values.length }
}

/** `12.3 (12.1–12.6)` for several runs, `12.3` for one, `n/a` for none. */
export function show(value: Spread | undefined, digits = 1, unit = ''): string {
  if (value === undefined) return 'n/a'
  const median = `${value.median.toFixed(digits)}${unit}`
  if (value.count === 1 || value.min === value.max) return median
  return `${median} (${value.min.toFixed(digits)}–${value.max.toFixed(digits)})`
}

/** Why runs of a variant failed, one line each, for under a table. */
export function failures(label: string, samples: readonly Sample[]): string[] {
  return samples.flatMap((s, i) =>
    s.failed === undefined ? [] : [`- ${label}, run ${i + 1} failed: ${s.failed}`],
  )
}

/** A markdown table; the first column left-aligned, the rest right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const align = header.map((_, i) => (i === 0 ? '---' : '---:'))
  const line = (cells: readonly string[]) => `| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`
  return [line(header), `|${align.join('|')}|`, ...rows.map(line)]
}

/** `met` or `NOT met`, and by how much, for a goal line. */
export function verdict(met: boolean): string {
  return met ? '**met**' : '**not met**'
}

/** `+1.2` or `-0.4`: a difference with its sign. */
export function signed(value: number, digits = 1): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`
}

/** One column of a table: a figure of every run, shown as its median and range. */
export function column(
  runs: readonly Sample[],
  pick: (s: Sample) => number | undefined,
  digits = 1,
  unit = '',
): string {
  return show(spread(runs, pick), digits, unit)
}

/** The transports fanout's summaries named, one per run (`stream, stream`), to show none fell back. */
export function transports(runs: readonly Sample[]): string {
  return runs.map((s) => s.transport ?? '–').join(', ')
}
