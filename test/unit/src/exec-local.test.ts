import { text } from 'node:stream/consumers'
import { describe, expect, test } from 'vitest'
import { LocalExecutor } from '../../../src/exec/local.js'

const local = new LocalExecutor()
const NASTY = ['a b', "it's", '$HOME', '`id`', 'a&b;c', 'line\nbreak', 'héllo', '']

describe('LocalExecutor', () => {
  test('passes argv without a shell and keeps output byte-for-byte', async () => {
    const result = await local.run(['printf', '%s\\0', ...NASTY])
    expect(result.exitCode).toBe(0)
    expect(result.stdout.split('\0').slice(0, -1)).toEqual(NASTY)
  })

  test.each([
    [['sh', '-c', 'exit 3'], 3],
    [['sh', '-c', 'kill -KILL $$'], 137],
    [['/no/such/command'], 127],
  ])('%j exits with %i', async (argv, exitCode) => {
    expect((await local.run(argv)).exitCode).toBe(exitCode)
  })

  test('feeds input to stdin, and stdin is at EOF without it', async () => {
    expect((await local.run(['cat'], { input: 'héllo\n' })).stdout).toBe('héllo\n')
    expect((await local.run(['cat'])).stdout).toBe('')
  })

  test('a timeout throws SSH_TIMEOUT and an abort throws ABORTED', async () => {
    await expect(local.run(['sleep', '10'], { timeoutMs: 50 })).rejects.toMatchObject({ code: 'SSH_TIMEOUT' })
    await expect(local.run(['sleep', '10'], { signal: AbortSignal.timeout(50) })).rejects.toMatchObject({
      code: 'ABORTED',
    })
  })

  test('spawn: stdin in, stdout out, exit when stdin closes', async () => {
    const child = local.spawn(['cat'])
    child.stdin.end('ping\n')
    expect(await text(child.stdout)).toBe('ping\n')
    expect(await child.exited).toEqual({ exitCode: 0, signal: null })
  })

  test('spawn: kill() ends the command with SIGKILL', async () => {
    const child = local.spawn(['sleep', '10'])
    child.kill()
    expect(await child.exited).toEqual({ exitCode: null, signal: 'SIGKILL' })
  })
})
