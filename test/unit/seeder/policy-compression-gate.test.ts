import { describe, expect, test } from 'vitest'
import { CompressionGate } from '../../../seeder/policy/compression-gate.js'

describe('CompressionGate', () => {
  test('tries every block while they shrink', () => {
    const gate = new CompressionGate()
    for (let block = 0; block < 10; block++) {
      expect(gate.shouldTry(block)).toBe(true)
      gate.record(block, 1000, 400)
    }
  })

  test('skips runs that double after each block that did not shrink, up to 64, and samples after each', () => {
    const gate = new CompressionGate()
    const tried: number[] = []
    for (let block = 0; block < 400; block++) {
      if (!gate.shouldTry(block)) continue
      tried.push(block)
      gate.record(block, 1000, 1001)
    }
    expect(tried.slice(0, 6)).toEqual([0, 2, 5, 10, 19, 36])
    const gaps = tried.slice(1).map((b, i) => b - (tried[i] as number))
    expect(Math.max(...gaps)).toBe(65)
  })

  test('a block that shrinks again ends the skipping at once', () => {
    const gate = new CompressionGate()
    gate.record(0, 1000, 1000)
    gate.record(2, 1000, 1000)
    expect(gate.shouldTry(4)).toBe(false)
    gate.record(5, 1000, 100)
    expect(gate.shouldTry(6)).toBe(true)
    gate.record(6, 1000, 999)
    expect(gate.shouldTry(7)).toBe(false)
    expect(gate.shouldTry(8)).toBe(true)
  })
})
