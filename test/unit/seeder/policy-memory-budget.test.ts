import { expect, test } from 'vitest'
import { mayRequestMore, pieceCacheSlots } from '../../../seeder/policy/memory-budget.js'

const MiB = 2 ** 20

test.each([
  [1 * MiB, 16],
  [4 * MiB, 4],
  [16 * MiB, 1],
  // A piece larger than the cache still gets one slot: webtorrent's 0 would turn caching off.
  [32 * MiB, 1],
])('the piece cache holds at most 16 MiB: %i-byte pieces get %i slots', (pieceLength, slots) => {
  expect(pieceCacheSlots(pieceLength)).toBe(slots)
  expect(slots * pieceLength).toBeLessThanOrEqual(Math.max(16 * MiB, pieceLength))
})

test.each([
  [0, 1 * MiB, true],
  [32 * MiB - 1, 1 * MiB, true],
  [32 * MiB, 1 * MiB, false],
  [100 * MiB, 16 * MiB, false],
  // One piece bigger than the budget must still be let through, or it could never be written.
  [32 * MiB, 64 * MiB, true],
  [64 * MiB, 64 * MiB, false],
])('with %i bytes waiting for the disk and %i-byte pieces, more requests: %s', (backlog, piece, more) => {
  expect(mayRequestMore(backlog, piece)).toBe(more)
})
