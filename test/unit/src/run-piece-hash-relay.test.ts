import { describe, expect, test } from 'vitest'
import type { PieceHashes } from '../../../shared/messages.js'
import { PieceHashRelay } from '../../../src/run/piece-hash-relay.js'

/** `count` fake 20-byte digests for pieces first.., each filled with its piece number. */
function batch(first: number, count: number): PieceHashes {
  const digests = Buffer.concat(Array.from({ length: count }, (_, i) => Buffer.alloc(20, first + i)))
  return { first, digests: digests.toString('base64') }
}

function pieces(received: PieceHashes[]): number[] {
  return received.flatMap(({ first, digests }) => {
    const bytes = Buffer.from(digests, 'base64')
    return Array.from({ length: bytes.length / 20 }, (_, i) => {
      expect(bytes[i * 20]).toBe(first + i)
      return first + i
    })
  })
}

describe('PieceHashRelay', () => {
  test('a target that follows late gets everything so far in one message, then each new batch', () => {
    const relay = new PieceHashRelay()
    const early: PieceHashes[] = []
    relay.follow((h) => early.push(h))
    relay.add(batch(0, 3))
    relay.add(batch(3, 2))
    const late: PieceHashes[] = []
    relay.follow((h) => late.push(h))
    expect(late).toEqual([{ first: 0, digests: expect.any(String) }])
    relay.add(batch(5, 4))
    expect(pieces(early)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8])
    expect(pieces(late)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8])
    expect(late).toHaveLength(2)
  })

  test('nothing known yet: a follower is sent nothing until the first batch', () => {
    const relay = new PieceHashRelay()
    const received: PieceHashes[] = []
    relay.follow((h) => received.push(h))
    expect(received).toEqual([])
  })

  test('a batch that leaves a gap is refused', () => {
    const relay = new PieceHashRelay()
    relay.add(batch(0, 2))
    expect(() => relay.add(batch(3, 1))).toThrow(/from 3, expected 2/)
  })
})
