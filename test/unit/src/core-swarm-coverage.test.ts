import { describe, expect, test } from 'vitest'
import { piecesCovered } from '../../../src/core/swarm-coverage.js'

/** A bitfield of `pieces` bits with the listed pieces set. */
function bits(pieces: number, held: readonly number[]): Uint8Array {
  const field = new Uint8Array(Math.ceil(pieces / 8))
  for (const piece of held) field[piece >> 3] = (field[piece >> 3] ?? 0) | (128 >> (piece % 8))
  return field
}

describe('piecesCovered', () => {
  test('counts the pieces at least one bitfield holds', () => {
    expect(piecesCovered([bits(10, [0, 1, 2]), bits(10, [2, 3, 9])], 10)).toBe(5)
  })

  test('two halves make the whole payload', () => {
    const even = Array.from({ length: 13 }, (_, i) => i).filter((i) => i % 2 === 0)
    const odd = Array.from({ length: 13 }, (_, i) => i).filter((i) => i % 2 === 1)
    expect(piecesCovered([bits(13, even), bits(13, odd)], 13)).toBe(13)
  })

  test('bits past the payload do not count (a growing payload sized for more)', () => {
    expect(piecesCovered([bits(64, [0, 5, 6, 40, 63])], 6)).toBe(2)
  })

  test('a short or missing bitfield holds nothing beyond its bytes', () => {
    expect(piecesCovered([bits(8, [7])], 20)).toBe(1)
    expect(piecesCovered([], 20)).toBe(0)
  })
})
