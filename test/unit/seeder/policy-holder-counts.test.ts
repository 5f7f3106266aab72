import { describe, expect, test } from 'vitest'
import { HolderCounts } from '../../../seeder/policy/holder-counts.js'

function all(counts: HolderCounts): number[] {
  return Array.from({ length: counts.pieceCount }, (_, piece) => counts.holders(piece))
}

describe('HolderCounts', () => {
  test('counts each mate once per piece, however often it says so', () => {
    const counts = new HolderCounts(4)
    const a = counts.addMate(0)
    const b = counts.addMate(1)
    a.setHas(0, true)
    a.setHas(0, true)
    a.setHas(2, true)
    b.setHas(2, true)
    expect(all(counts)).toEqual([1, 0, 2, 0])
    // A bitfield can take a piece back.
    b.setHas(2, false)
    expect(all(counts)).toEqual([1, 0, 1, 0])
  })

  test('a mate that is not live stops counting, keeps its record, and counts again when live', () => {
    const counts = new HolderCounts(3)
    const a = counts.addMate(0)
    a.setHas(0, true)
    a.setHas(1, true)
    expect(a.setLive(false)).toBe(true)
    expect(a.setLive(false)).toBe(false)
    expect(all(counts)).toEqual([0, 0, 0])
    // What it reports meanwhile is remembered.
    a.setHas(2, true)
    expect(all(counts)).toEqual([0, 0, 0])
    expect(a.setLive(true)).toBe(true)
    expect(all(counts)).toEqual([1, 1, 1])
    expect(a.complete).toBe(true)
  })

  test('a closed connection is forgotten, live or not', () => {
    const counts = new HolderCounts(2)
    const a = counts.addMate(0)
    const b = counts.addMate(1)
    a.setHas(0, true)
    b.setHas(0, true)
    b.setLive(false)
    a.remove()
    b.remove()
    expect(all(counts)).toEqual([0, 0])
    expect([...counts.mates()]).toEqual([])
  })

  test('pieces outside the torrent are ignored', () => {
    const counts = new HolderCounts(2)
    const a = counts.addMate(0)
    a.setHas(5, true)
    expect(all(counts)).toEqual([0, 0])
    expect(a.complete).toBe(false)
  })
})
