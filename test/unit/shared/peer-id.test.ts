import { describe, expect, test } from 'vitest'
import { makePeerId, readPeerId } from '../../../shared/peer-id.js'

describe('peer ids', () => {
  test('are 20 bytes and carry role, site and rank', () => {
    const source = makePeerId({ role: 'source', site: 0, rank: 0 })
    const target = makePeerId({ role: 'target', site: 42, rank: 1234 })
    expect(Buffer.from(source, 'hex')).toHaveLength(20)
    expect(readPeerId(source)).toEqual({ role: 'source', site: 0, rank: 0 })
    expect(readPeerId(target)).toEqual({ role: 'target', site: 42, rank: 1234 })
  })

  test('differ between peers of the same role and site', () => {
    expect(makePeerId({ role: 'target', site: 1, rank: 2 })).not.toBe(
      makePeerId({ role: 'target', site: 1, rank: 2 }),
    )
  })

  test('from other clients read as unknown', () => {
    expect(readPeerId(Buffer.from('-WW0208-abcdefghijkl').toString('hex'))).toBeNull()
  })

  test('refuse a site or rank that does not fit', () => {
    expect(() => makePeerId({ role: 'target', site: 1000, rank: 0 })).toThrow(RangeError)
    expect(() => makePeerId({ role: 'target', site: 0, rank: 10_000 })).toThrow(RangeError)
  })
})
