import { expect, test } from 'vitest'
import { TokenBucket } from '../../../seeder/policy/token-bucket.js'

test('a token bucket lets through its capacity at once, then its rate', () => {
  let now = 0
  const bucket = new TokenBucket(1000, 300, () => now)
  expect(bucket.take(300)).toBe(true)
  expect(bucket.take(1)).toBe(false)
  now = 100
  expect(bucket.take(100)).toBe(true)
  expect(bucket.take(1)).toBe(false)
  // Idle time refills no further than the capacity.
  now = 60_000
  expect(bucket.take(300)).toBe(true)
  expect(bucket.take(1)).toBe(false)
})
