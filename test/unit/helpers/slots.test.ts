import { expect, test } from 'vitest'
import { slots } from '../../helpers/slots.js'

/** A task that runs until released, recording when it started. */
function held(started: number[], id: number) {
  let release: () => void = () => {}
  const done = new Promise<void>((resolve) => {
    release = resolve
  })
  const task = () => {
    started.push(id)
    return done
  }
  return { task, release: () => release() }
}

test('at most `count` tasks run at once, the others start in order as slots free up', async () => {
  const gate = slots(2)
  const started: number[] = []
  const tasks = [0, 1, 2, 3].map((id) => held(started, id))
  const results = tasks.map(({ task }) => gate(task))
  await Promise.resolve()
  expect(started).toEqual([0, 1])
  tasks[1]?.release()
  await results[1]
  await Promise.resolve()
  expect(started).toEqual([0, 1, 2])
  for (const t of tasks) t.release()
  await Promise.all(results)
  expect(started).toEqual([0, 1, 2, 3])
})

test('a task that fails frees its slot and rejects to its caller', async () => {
  const gate = slots(1)
  const failing = gate(() => Promise.reject(new Error('no')))
  const next = gate(() => Promise.resolve('ran'))
  await expect(failing).rejects.toThrow('no')
  await expect(next).resolves.toBe('ran')
})
