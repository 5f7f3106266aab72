import { expect, test } from 'vitest'
import { chooseTransport } from '../../../src/core/choose-transport.js'

test('auto streams to one target and uses the swarm for more; an explicit choice stands', () => {
  expect(chooseTransport('auto', 1)).toBe('stream')
  expect(chooseTransport('auto', 2)).toBe('swarm')
  expect(chooseTransport('stream', 5)).toBe('stream')
  expect(chooseTransport('swarm', 1)).toBe('swarm')
})
