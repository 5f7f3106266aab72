import { formatBytes } from '../core/checks.js'

export { formatBytes }

/** `1:02:03` or `2:03`: short enough for a progress line. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const rest = String(s % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`
}

/** `0.12 ms`, `2.3 ms`, `44 ms`: two significant digits below 10 ms, whole milliseconds above. */
export function formatMs(ms: number): string {
  if (ms >= 10) return `${Math.round(ms)} ms`
  return `${Number(ms.toPrecision(2))} ms`
}

export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(Math.round(bytesPerSecond))}/s`
}

export function percent(part: number, whole: number): string {
  if (whole <= 0) return '100%'
  return `${Math.min(100, Math.floor((part / whole) * 100))}%`
}
