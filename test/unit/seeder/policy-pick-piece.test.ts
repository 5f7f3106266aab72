import { describe, expect, test } from 'vitest'
import { type PieceView, pickPiece, piecesAfter } from '../../../seeder/policy/pick-piece.js'
import { ownsPiece, placeTargets } from '../../../shared/placement.js'

/** A view over plain arrays; every piece wanted and held by the peer unless said otherwise. */
function view(holders: number[], overrides: Partial<PieceView> = {}): PieceView {
  return {
    pieceCount: holders.length,
    wanted: () => true,
    peerHas: () => true,
    cheapHolders: (piece) => holders[piece] ?? 0,
    owned: () => false,
    mayTakeOver: () => false,
    shareLacking: () => 0,
    ...overrides,
  }
}

/** Keeps the first of tied pieces. */
const first = () => 0.999
const cheap = { expensive: false, random: first }

describe('pickPiece over a cheap link', () => {
  test('takes the piece fewest site-mates hold', () => {
    expect(pickPiece(view([3, 2, 1, 2]), cheap)).toBe(2)
  })

  test('skips pieces not wanted or not held by the peer', () => {
    const holders = [1, 1, 2, 3]
    expect(pickPiece(view(holders, { wanted: (p) => p !== 0, peerHas: (p) => p !== 1 }), cheap)).toBe(2)
  })

  test('returns -1 when the peer has nothing we want', () => {
    expect(pickPiece(view([1, 1], { peerHas: () => false }), cheap)).toBe(-1)
  })

  test('spreads ties over every tied piece', () => {
    // 0 keeps replacing the choice with the latest tie, 0.99 keeps the first one.
    const picks = new Set(
      [0, 0.99].map((value) => pickPiece(view([1, 1, 1, 5]), { ...cheap, random: () => value })),
    )
    expect(picks).toEqual(new Set([0, 2]))
  })
})

describe('pickPiece over an expensive link', () => {
  const expensive = { expensive: true, random: first }

  test('never fetches what a site-mate already holds', () => {
    expect(pickPiece(view([1, 1, 1], { owned: () => true }), expensive)).toBe(-1)
  })

  test('fetches its own share first', () => {
    const view4 = view([0, 0, 0, 0], { owned: (p) => p === 3, mayTakeOver: () => true })
    expect(pickPiece(view4, expensive)).toBe(3)
  })

  test('fills the share it lacks most first, among those it may fetch', () => {
    // Pieces 0 and 2 are our share (2 lacking), 1 and 3 a lagging owner's (5 lacking).
    const lagging = view([0, 0, 0, 0], {
      owned: (p) => p % 2 === 0,
      mayTakeOver: (p) => p % 2 === 1,
      shareLacking: (p) => (p % 2 === 0 ? 2 : 5),
    })
    expect([1, 3]).toContain(pickPiece(lagging, expensive))
    // Caught up: ours again.
    const caughtUp = view([0, 0, 0, 0], {
      owned: (p) => p % 2 === 0,
      mayTakeOver: (p) => p % 2 === 1,
      shareLacking: () => 2,
    })
    expect([0, 2]).toContain(pickPiece(caughtUp, expensive))
  })

  test('leaves other shares to their owners unless an owner is gone', () => {
    expect(pickPiece(view([0, 0]), expensive)).toBe(-1)
    expect(pickPiece(view([0, 0], { mayTakeOver: (p) => p === 1 }), expensive)).toBe(1)
  })
})

describe('placeTargets', () => {
  test('ranks targets within their site and shares out every piece once per site', () => {
    const placements = placeTargets([0, 1, 0, 1, 1])
    expect(placements).toEqual([
      { site: 0, rank: 0, siteSize: 2 },
      { site: 1, rank: 0, siteSize: 3 },
      { site: 0, rank: 1, siteSize: 2 },
      { site: 1, rank: 1, siteSize: 3 },
      { site: 1, rank: 2, siteSize: 3 },
    ])
    for (const site of [0, 1]) {
      const inSite = placements.filter((p) => p.site === site)
      for (let piece = 0; piece < 12; piece++) {
        expect(inSite.filter((p) => ownsPiece(p, piece))).toHaveLength(1)
      }
    }
  })
})

describe('piecesAfter (small pieces started in runs)', () => {
  const zeros = (n: number) => new Array<number>(n).fill(0)

  test('the next pieces that could have been picked, up to count in all', () => {
    const v = view(zeros(10), { wanted: (p) => p !== 3 })
    expect(piecesAfter(v, 1, { count: 4, window: 8, expensive: false })).toEqual([2, 4, 5])
  })

  test('looks no further than the window, nor past the last piece', () => {
    expect(piecesAfter(view(zeros(10)), 6, { count: 10, window: 2, expensive: false })).toEqual([7, 8])
    expect(piecesAfter(view(zeros(10)), 8, { count: 10, window: 5, expensive: false })).toEqual([9])
  })

  test('over an expensive link only this target share, as a pick would', () => {
    const placement = placeTargets([0, 0, 0])[1]
    if (placement === undefined) throw new Error('no placement')
    const v = view(zeros(12), { owned: (p) => ownsPiece(placement, p) })
    const owned = [...Array(12).keys()].filter((p) => ownsPiece(placement, p))
    expect(piecesAfter(v, owned[0] as number, { count: 3, window: 9, expensive: true })).toEqual(
      owned.slice(1, 3),
    )
  })

  test('a run of one is the piece alone', () => {
    expect(piecesAfter(view(zeros(4)), 0, { count: 1, window: 1, expensive: false })).toEqual([])
  })
})
