import { expect, test } from 'vitest'
import { WriteBacklog } from '../../../seeder/store/write-backlog.js'

test('holds bytes until each release, and a second release of the same hold changes nothing', () => {
  const backlog = new WriteBacklog()
  const first = backlog.hold(100)
  const second = backlog.hold(20)
  expect(backlog.bytes).toBe(120)
  first()
  first()
  expect(backlog.bytes).toBe(20)
  second()
  expect(backlog.bytes).toBe(0)
})
