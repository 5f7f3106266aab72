import { describe, expect, test } from 'vitest'
import { choosePieceLength } from '../../../seeder/policy/piece-length.js'

const MiB = 2 ** 20
const GiB = 2 ** 30

describe('choosePieceLength', () => {
  test.each([
    [0, MiB],
    [1, MiB],
    [MiB, MiB],
    [2 * GiB, MiB],
    [2 * GiB + 1, 2 * MiB],
    [4 * GiB, 2 * MiB],
    [4 * GiB + 1, 4 * MiB],
    [8 * GiB, 4 * MiB],
    [16 * GiB, 8 * MiB],
    [32 * GiB, 16 * MiB],
    [32 * GiB + 1, 16 * MiB],
    [10 * 2 ** 40, 16 * MiB],
    [Number.MAX_SAFE_INTEGER, 16 * MiB],
  ])('%i bytes → %i', (bytes, expected) => {
    expect(choosePieceLength(bytes)).toBe(expected)
  })

  const sizes = Array.from({ length: 200 }, (_, i) => Math.floor(1.25 ** i))

  test.each(sizes)('%i bytes: a power of two between 1 MiB and 16 MiB', (bytes) => {
    const length = choosePieceLength(bytes)
    expect(length).toBeGreaterThanOrEqual(MiB)
    expect(length).toBeLessThanOrEqual(16 * MiB)
    expect(Number.isInteger(Math.log2(length))).toBe(true)
    // At most about 2,048 pieces unless the cap is reached.
    if (length < 16 * MiB) expect(Math.ceil(bytes / length)).toBeLessThanOrEqual(2048)
    // And not needlessly large: half the length would have made too many pieces.
    if (length > MiB) expect(bytes / (length / 2)).toBeGreaterThan(2048)
  })

  test('never shrinks as the payload grows', () => {
    let previous = 0
    for (const bytes of sizes) {
      const length = choosePieceLength(bytes)
      expect(length).toBeGreaterThanOrEqual(previous)
      previous = length
    }
  })
})

describe('choosePieceLength for a run with a base', () => {
  test.each([
    [0, 16 * 1024],
    [160 * MiB, 16 * 1024],
    [256 * MiB + 1, 32 * 1024],
    [GiB, 64 * 1024],
    [16 * GiB, MiB],
    [10 * 2 ** 40, 16 * MiB],
  ])('%i bytes → %i', (bytes, expected) => {
    expect(choosePieceLength(bytes, { incremental: true })).toBe(expected)
  })

  test('never larger than a whole copy would use', () => {
    for (let bytes = 1; bytes < 2 ** 46; bytes *= 3) {
      expect(choosePieceLength(bytes, { incremental: true })).toBeLessThanOrEqual(choosePieceLength(bytes))
    }
  })
})
