import { describe, expect, test } from 'vitest'
import { HashBatches } from '../../../seeder/policy/hash-batches.js'

const digest = (n: number) => Buffer.alloc(20, n)
const sizes = (batches: ({ digests: string } | undefined)[]) =>
  batches.filter((b) => b !== undefined).map((b) => Buffer.from(b.digests, 'base64').length / 20)

describe('HashBatches', () => {
  test('pieces hashed at once go out in doubling batches, the rest at the end', () => {
    const batches = new HashBatches(200)
    const sent = Array.from({ length: 20 }, (_, i) => batches.add(digest(i), 1000))
    expect(sizes(sent)).toEqual([1, 1, 2, 4, 8])
    expect(sizes([batches.flush(1000)])).toEqual([4])
    expect(batches.flush(1000)).toBeUndefined()
  })

  test('batches are consecutive and carry every digest in order', () => {
    const batches = new HashBatches(200)
    const sent = [...Array.from({ length: 7 }, (_, i) => batches.add(digest(i), 0)), batches.flush(0)]
    const kept = sent.filter((b) => b !== undefined)
    expect(kept.map((b) => b.first)).toEqual([0, 1, 2, 4])
    const all = Buffer.concat(kept.map((b) => Buffer.from(b.digests, 'base64')))
    expect(all).toEqual(Buffer.concat(Array.from({ length: 7 }, (_, i) => digest(i))))
  })

  test('once doubling outruns the hashing, the timer sends whatever has come', () => {
    const batches = new HashBatches(200)
    for (let i = 0; i < 16; i++) batches.add(digest(i), 0) // batches of 1, 1, 2, 4, 8: 16 sent
    expect(batches.add(digest(16), 100)).toBeUndefined()
    expect(batches.add(digest(17), 199)).toBeUndefined()
    expect(sizes([batches.add(digest(18), 200)])).toEqual([3])
  })

  test('a digest of the wrong length is a bug, not a batch', () => {
    expect(() => new HashBatches(200).add(Buffer.alloc(19), 0)).toThrow(/20 bytes/)
  })
})
