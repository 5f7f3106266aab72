import { expect, test } from 'vitest'
import { chooseTransport } from '../../../src/core/choose-transport.js'

test('auto streams to one target and uses the swarm for more; an explicit choice stands', () => {
  expect(chooseTransport('auto', 1)).toBe('stream')
  expect(chooseTransport('auto', 2)).toBe('swarm')
  expect(chooseTransport('stream', 5)).toBe('stream')
  expect(chooseTransport('swarm', 1)).toBe('swarm')
})

test('with a base, auto takes the swarm even for one target: only it skips what a target holds', () => {
  expect(chooseTransport('auto', 1, { incremental: true })).toBe('swarm')
  expect(chooseTransport('auto', 3, { incremental: true })).toBe('swarm')
})
