import { describe, expect, test } from 'vitest'
import { PieceBlame } from '../../../seeder/policy/piece-blame.js'

describe('PieceBlame', () => {
  test('a peer is dropped at its second failed piece, and named once', () => {
    const blame = new PieceBlame(2)
    blame.asked(1, 'bad')
    expect(blame.failed(1)).toEqual([])
    expect(blame.isDropped('bad')).toBe(false)
    blame.asked(1, 'bad')
    expect(blame.failed(1)).toEqual(['bad'])
    expect(blame.isDropped('bad')).toBe(true)
    blame.asked(2, 'bad')
    expect(blame.failed(2)).toEqual([])
    expect(blame.failuresOf('bad')).toBe(3)
  })

  test('a verified piece blames nobody, and a piece fetched afresh starts with no one asked', () => {
    const blame = new PieceBlame(1)
    blame.asked(3, 'good')
    blame.verified(3)
    expect(blame.failed(3)).toEqual([])
    blame.asked(4, 'first')
    expect(blame.failed(4)).toEqual(['first'])
    // The second attempt at piece 4 asked only 'second'; it verified.
    blame.asked(4, 'second')
    blame.verified(4)
    expect(blame.isDropped('second')).toBe(false)
  })

  test('every peer that sent part of a failed piece shares the blame', () => {
    const blame = new PieceBlame(2)
    blame.asked(7, 'a')
    blame.asked(7, 'b')
    blame.asked(7, 'a')
    expect(blame.failed(7)).toEqual([])
    expect([blame.failuresOf('a'), blame.failuresOf('b')]).toEqual([1, 1])
  })
})
