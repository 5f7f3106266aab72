import { describe, expect, test } from 'vitest'
import {
  ANNOUNCES_PER_SECOND,
  announceIntervalMs,
  MAX_ANNOUNCE_INTERVAL_MS,
  MIN_ANNOUNCE_INTERVAL_MS,
} from '../../../tracker/announce-interval.js'

/** Periodic announces per second that a swarm of `peers` sends the tracker under the policy. */
const loadOf = (peers: number) => peers / (announceIntervalMs(peers) / 1000)

describe('announceIntervalMs', () => {
  test.each([
    [0, 5_000],
    [1, 5_000],
    [64, 5_000],
    [125, 5_000],
    [126, 5_040],
    [1_000, 40_000],
    [10_000, 400_000],
    [15_000, 600_000],
    [100_000, 600_000],
  ])('a swarm of %i peers announces every %i ms', (peers, interval) => {
    expect(announceIntervalMs(peers)).toBe(interval)
  })

  test('the tracker answers at most the budget from the smallest swarm up to where the maximum takes over', () => {
    for (const peers of [1, 10, 64, 125, 500, 1_000, 5_000, 10_000, 15_000])
      expect(loadOf(peers)).toBeLessThanOrEqual(ANNOUNCES_PER_SECOND)
    expect(loadOf(1_000)).toBeCloseTo(ANNOUNCES_PER_SECOND, 5)
    expect(loadOf(10_000)).toBeCloseTo(ANNOUNCES_PER_SECOND, 5)
  })

  test('never shorter than the minimum nor longer than the maximum, and growing with the swarm', () => {
    let previous = 0
    for (let peers = -5; peers <= 40_000; peers += 97) {
      const interval = announceIntervalMs(peers)
      expect(interval).toBeGreaterThanOrEqual(Math.max(previous, MIN_ANNOUNCE_INTERVAL_MS))
      expect(interval).toBeLessThanOrEqual(MAX_ANNOUNCE_INTERVAL_MS)
      previous = interval
    }
  })
})
