import { describe, expect, test } from 'vitest'
import { ShareLag } from '../../../seeder/policy/share-lag.js'

/** Whole-copy pieces, for which the margin is 4 pieces. */
const MiB = 1 << 20

/** Gains every piece of `rank`'s share below `upTo`. */
function gainShare(lag: ShareLag, rank: number, siteSize: number, upTo: number): void {
  for (let piece = rank; piece < upTo; piece += siteSize) lag.gained(piece)
}

describe('ShareLag', () => {
  test('no share lags at the start', () => {
    const lag = new ShareLag({ rank: 0, siteSize: 3 }, 96, MiB)
    expect([0, 1, 2].map((rank) => lag.lagging(rank))).toEqual([false, false, false])
  })

  test('shares that fill at the same pace never lag', () => {
    const lag = new ShareLag({ rank: 0, siteSize: 3 }, 300, MiB)
    for (let piece = 0; piece < 300; piece++) {
      lag.gained(piece)
      expect(lag.lagging(1) || lag.lagging(2)).toBe(false)
    }
  })

  test('a share this target lacks more of than of its own, past the margin, lags', () => {
    // 32 pieces per share: the margin is 4 pieces.
    const lag = new ShareLag({ rank: 0, siteSize: 3 }, 96, MiB)
    gainShare(lag, 0, 3, 96) // all of our own share
    gainShare(lag, 1, 3, 96) // all of rank 1's
    gainShare(lag, 2, 3, 3 * 28) // 28 of rank 2's 32: 4 behind, within the margin
    expect(lag.lagging(2)).toBe(false)
    lag.gained(2 + 3 * 30) // one more, out of order: 3 behind
    expect(lag.lagging(2)).toBe(false)
    const behind = new ShareLag({ rank: 0, siteSize: 3 }, 96, MiB)
    gainShare(behind, 0, 3, 96)
    gainShare(behind, 2, 3, 3 * 27) // 5 behind
    expect(behind.lagging(2)).toBe(true)
    expect(behind.lagging(1)).toBe(true)
    expect(behind.lagging(0)).toBe(false)
  })

  test('the margin grows with the share, so a large payload tolerates proportionate jitter', () => {
    // 1,000 pieces per share: the margin is 50.
    const lag = new ShareLag({ rank: 1, siteSize: 2 }, 2000, MiB)
    gainShare(lag, 1, 2, 2000)
    gainShare(lag, 0, 2, 2 * 950)
    expect(lag.lagging(0)).toBe(false)
    const behind = new ShareLag({ rank: 1, siteSize: 2 }, 2000, MiB)
    gainShare(behind, 1, 2, 2000)
    gainShare(behind, 0, 2, 2 * 949)
    expect(behind.lagging(0)).toBe(true)
  })

  test('an owner that holds as much as this target is late, not slow: its share is left to it', () => {
    // 32 pieces per share, margin 4: rank 2's share is 5 behind ours.
    const lag = new ShareLag({ rank: 0, siteSize: 3 }, 96, MiB)
    gainShare(lag, 0, 3, 96)
    gainShare(lag, 1, 3, 96)
    gainShare(lag, 2, 3, 3 * 27)
    // We hold 91 pieces. An owner holding 90 got the rest from its site-mates: late with its share.
    expect(lag.lagging(2, 90)).toBe(false)
    // One holding 80 is slow.
    expect(lag.lagging(2, 80)).toBe(true)
    // One we cannot see is judged by its share alone.
    expect(lag.lagging(2, undefined)).toBe(true)
  })

  test('a piece reported twice counts once', () => {
    const lag = new ShareLag({ rank: 0, siteSize: 2 }, 20, MiB)
    for (let i = 0; i < 10; i++) lag.gained(1)
    gainShare(lag, 0, 2, 20)
    // Rank 1 still lacks 9 of 10, our own share none: lagging; had the repeats counted, it would not.
    expect(lag.lagging(1)).toBe(true)
  })

  test('with one target in the site there is nothing to take over', () => {
    const lag = new ShareLag({ rank: 0, siteSize: 1 }, 10, MiB)
    expect(lag.lagging(0)).toBe(false)
  })
})

describe('ShareLag with small pieces', () => {
  test('the margin is 4 MiB of pieces, not 4 pieces', () => {
    const piece = 64 * 1024
    // Two shares of 1,000 pieces: this target holds nothing of rank 1's share and 64 of its own.
    const lag = new ShareLag({ rank: 0, siteSize: 2 }, 2000, piece)
    for (let i = 0; i < 2 * 64; i += 2) lag.gained(i)
    expect(lag.lagging(1)).toBe(false)
    for (let i = 128; i < 2 * 66; i += 2) lag.gained(i)
    expect(lag.lagging(1)).toBe(true)
  })

  test('a piece length that is not a positive number is refused, not read as no margin', () => {
    expect(() => new ShareLag({ rank: 0, siteSize: 2 }, 20, Number.NaN)).toThrow(RangeError)
    expect(() => new ShareLag({ rank: 0, siteSize: 2 }, 20, 0)).toThrow(RangeError)
  })
})
