import { describe, expect, test } from 'vitest'
import { ServedBlocks } from '../../../seeder/policy/served-blocks.js'

const BLOCK = 128 * 1024

describe('ServedBlocks', () => {
  test('each block sent once counts no repeats', () => {
    const served = new ServedBlocks(10 * BLOCK, BLOCK)
    for (let block = 0; block < 10; block++) served.record(block * BLOCK, BLOCK)
    expect(served.counts()).toEqual({ bytes: 10 * BLOCK, repeatedBytes: 0 })
  })

  test('a block sent to a second peer counts as repeated', () => {
    const served = new ServedBlocks(10 * BLOCK, BLOCK)
    served.record(3 * BLOCK, BLOCK)
    served.record(4 * BLOCK, BLOCK)
    served.record(3 * BLOCK, BLOCK)
    served.record(3 * BLOCK, BLOCK)
    expect(served.counts()).toEqual({ bytes: 4 * BLOCK, repeatedBytes: 2 * BLOCK })
  })

  test('the short last block of a payload has its own bit', () => {
    const total = 9 * BLOCK + 1000
    const served = new ServedBlocks(total, BLOCK)
    served.record(8 * BLOCK, BLOCK)
    served.record(9 * BLOCK, 1000)
    served.record(9 * BLOCK, 1000)
    expect(served.counts()).toEqual({ bytes: BLOCK + 2000, repeatedBytes: 1000 })
  })

  test('blocks that share a byte of the bitset are told apart', () => {
    const served = new ServedBlocks(16 * BLOCK, BLOCK)
    for (let block = 0; block < 16; block++) served.record(block * BLOCK, BLOCK)
    served.record(7 * BLOCK, BLOCK)
    served.record(8 * BLOCK, BLOCK)
    expect(served.counts().repeatedBytes).toBe(2 * BLOCK)
  })
})
