import pino from 'pino'
import { expect, test } from 'vitest'
import { CleanupStack } from '../../../src/run/cleanup-stack.js'

const log = pino({ level: 'silent' })

test('steps run newest first; adjacent children run at the same time, each in its own order', async () => {
  const events: string[] = []
  const stack = new CleanupStack(log)
  stack.defer('last', () => {
    events.push('last')
  })
  let release = () => {}
  const gate = new Promise<void>((resolve) => {
    release = resolve
  })
  const fast = stack.child('host b')
  fast.defer('b1', () => {
    events.push('b1')
  })
  fast.defer('b2', () => {
    events.push('b2')
    release()
  })
  // Registered last, so unwound first: one child after another, it would wait for b forever.
  const slow = stack.child('host a')
  slow.defer('a1', () => {
    events.push('a1')
  })
  slow.defer('a2', async () => {
    events.push('a2 starts')
    const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('a2 gave up'), 2_000).unref())
    events.push(await Promise.race([gate.then(() => 'a2 ends'), timeout]))
  })
  stack.defer('first', () => {
    events.push('first')
  })
  expect(await stack.unwind()).toEqual([])
  expect(events[0]).toBe('first')
  expect(events).toContain('a2 ends')
  expect(events.indexOf('b2')).toBeLessThan(events.indexOf('b1'))
  expect(events.indexOf('a2 ends')).toBeLessThan(events.indexOf('a1'))
  expect(events.at(-1)).toBe('last')
})

test('a failing step is reported and the others still run', async () => {
  const ran: string[] = []
  const stack = new CleanupStack(log)
  const host = stack.child('host')
  host.defer('remove files', () => {
    ran.push('remove files')
  })
  host.defer('stop agent', () => {
    throw new Error('gone')
  })
  stack.defer('other', () => {
    ran.push('other')
  })
  expect(await stack.unwind()).toEqual(['stop agent'])
  expect(ran).toEqual(['other', 'remove files'])
})
