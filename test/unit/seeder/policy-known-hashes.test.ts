import { describe, expect, test } from 'vitest'
import { KnownHashes } from '../../../seeder/policy/known-hashes.js'

describe('KnownHashes', () => {
  test('knows only the pieces of the batches given', () => {
    const known = new KnownHashes(5)
    expect([0, 1, 2, 3, 4].map((p) => known.has(p))).toEqual([false, false, false, false, false])
    known.add(0, 2)
    known.add(3, 2)
    expect([0, 1, 2, 3, 4].map((p) => known.has(p))).toEqual([true, true, false, true, true])
    // A batch given twice (a resent range) changes nothing.
    known.add(0, 2)
    expect([0, 1, 2, 3, 4].map((p) => known.has(p))).toEqual([true, true, false, true, true])
    known.add(2, 1)
    expect([0, 1, 2, 3, 4].map((p) => known.has(p))).toEqual([true, true, true, true, true])
  })

  test.each([
    [4, 2],
    [-1, 1],
    [0, 1.5],
  ])('refuses the range %i + %i of a 5-piece torrent', (first, length) => {
    expect(() => new KnownHashes(5).add(first, length)).toThrow(RangeError)
  })
})
