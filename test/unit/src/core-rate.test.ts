import { describe, expect, test } from 'vitest'
import { parseRate } from '../../../src/core/rate.js'

describe('parseRate', () => {
  test.each([
    ['100Mbit', 12_500_000],
    ['100mbit/s', 12_500_000],
    ['1Gbit', 125_000_000],
    ['12M', 12 * 1024 ** 2],
    ['500K', 500 * 1024],
    ['1.5G', Math.floor(1.5 * 1024 ** 3)],
    ['4096', 4096],
    [' 8 Mbit ', 1_000_000],
  ])('%s → %i bytes/s', (text, bytes) => {
    expect(parseRate(text)).toBe(bytes)
  })

  test.each(['', 'fast', '-5M', '0', '10 Tbit', 'M', '1e9', '0.5'])(
    '%j is refused with a usage error',
    (text) => {
      expect(() => parseRate(text)).toThrow(expect.objectContaining({ code: 'USAGE' }))
    },
  )
})
