import { describe, expect, test } from 'vitest'
import { formatBytes, formatDuration, formatMs, formatRate, percent } from '../../../src/cli/format.js'
import { formatBytes as coreFormatBytes } from '../../../src/core/checks.js'

describe('formatDuration', () => {
  test.each([
    [0, '0:00'],
    [0.4, '0:00'],
    [0.5, '0:01'],
    [9, '0:09'],
    [59, '0:59'],
    [59.6, '1:00'],
    [60, '1:00'],
    [125, '2:05'],
    [599, '9:59'],
    [3599, '59:59'],
    [3600, '1:00:00'],
    [3723, '1:02:03'],
    [36_000, '10:00:00'],
    [100 * 3600 + 61, '100:01:01'],
    [-5, '0:00'],
  ])('%d s → %s', (seconds, expected) => {
    expect(formatDuration(seconds)).toBe(expected)
  })
})

describe('formatMs', () => {
  test.each([
    [0.0123, '0.012 ms'],
    [0.1, '0.1 ms'],
    [0.126, '0.13 ms'],
    [2.34, '2.3 ms'],
    [9.94, '9.9 ms'],
    [10, '10 ms'],
    [43.6, '44 ms'],
    [1234.4, '1234 ms'],
  ])('%d → %s', (ms, expected) => {
    expect(formatMs(ms)).toBe(expected)
  })
})

describe('formatRate', () => {
  test.each([
    [0, '0 B/s'],
    [0.4, '0 B/s'],
    [999.6, '1000 B/s'],
    [1536, '1.5 KiB/s'],
    [100 * 2 ** 20, '100.0 MiB/s'],
    [1.5 * 2 ** 30, '1.5 GiB/s'],
  ])('%d → %s', (rate, expected) => {
    expect(formatRate(rate)).toBe(expected)
  })
})

describe('percent', () => {
  test.each([
    [0, 100, '0%'],
    [1, 3, '33%'],
    [2, 3, '66%'],
    [999, 1000, '99%'],
    [1000, 1000, '100%'],
    [1500, 1000, '100%'],
    [0, 0, '100%'],
    [5, 0, '100%'],
    [5, -1, '100%'],
  ])('%d of %d → %s', (part, whole, expected) => {
    expect(percent(part, whole)).toBe(expected)
  })
})

test('formatBytes is the core one', () => {
  expect(formatBytes).toBe(coreFormatBytes)
})
