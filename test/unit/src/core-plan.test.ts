import { describe, expect, test } from 'vitest'
import { FanoutError } from '../../../shared/errors.js'
import { parseEndpoint } from '../../../src/core/endpoint.js'
import { hostKey, type PlanInput, planTransfer, stagingName } from '../../../src/core/plan.js'

const base = { cwd: '/home/me', transferId: '0123456789abcdef-rest-of-id' }

function plan(source: string, targets: string[]) {
  const input: PlanInput = { ...base, source, targets }
  return planTransfer(input)
}

describe('planTransfer', () => {
  test.each<[string, string, string[]]>([
    ['remote to remote', 'h0:/srv/sqldata', ['h1:/srv', 'h2:/srv']],
    ['local to local', '/data/set', ['/t1', '/t2']],
    ['a target beside the source', '/data/set', ['/data']],
    ['a sibling whose name starts like the source', '/data/set', ['/data/set2', '/data/settle/x']],
    ['the same path on different hosts', 'h0:/srv/x', ['h1:/srv', 'h2:/srv', '/srv']],
    ['same host and path but different users', 'h0:/x', ['a@h1:/srv', 'b@h1:/srv', 'h1:/srv']],
    ['inside the source, but on another host', 'h0:/srv/data', ['h1:/srv/data/inner', 'h1:/srv/data']],
    ['inside a remote source path, but local', 'h0:/srv/data', ['/srv/data/inner']],
    ['inside a local source path, but remote', '/srv/data', ['h1:/srv/data/inner']],
    ['inside the same host as another user', 'a@h0:/srv/data', ['b@h0:/srv/data/inner']],
  ])('accepts %s', (_why, source, targets) => {
    const result = plan(source, targets)
    expect(result.transferId).toBe(base.transferId)
    expect(result.source.spec).toBe(source)
    expect(result.targets.map((t) => t.spec)).toEqual(targets)
  })

  test.each<[string, string, string[], RegExp]>([
    ['no targets', '/data', [], /at least one target/],
    ['the root directory', '/', ['/t'], /cannot be \/ itself/],
    ['the root directory, remotely', 'h0:/', ['h1:/t'], /cannot be \/ itself/],
    ['a path that normalizes to /', '/data/..', ['/t'], /cannot be \/ itself/],
    ['the same target twice', '/data', ['/t', '/t'], /\/t is named twice/],
    ['the same target with a trailing slash', '/data', ['/t', '/t/'], /named twice/],
    ['the same target through localhost:', '/data', ['/t', 'localhost:/t'], /named twice/],
    ['the same target relative and absolute', '/data', ['/home/me/t', 't'], /named twice/],
    [
      'the same remote target twice',
      'h0:/d',
      ['u@h1:/t', 'h2:/t', 'u@h1:/t/./'],
      /u@h1:\/t\/\.\/ is named twice/,
    ],
    ['a target inside the source', '/data', ['/t', '/data/sub'], /\/data\/sub is inside the source \/data/],
    ['the source itself as target', '/data', ['/data'], /inside the source/],
    ['a remote target inside the source', 'h0:/srv/d', ['h0:/srv/d/x'], /inside the source/],
    ['a target inside the source via localhost:', 'localhost:/data', ['/data/x'], /inside the source/],
    ['a bad endpoint', '/data', ['host:relative'], /remote paths must be absolute/],
  ])('rejects %s with USAGE', (_why, source, targets, message) => {
    expect(() => plan(source, targets)).toThrowError(FanoutError)
    expect(() => plan(source, targets)).toThrowError(message)
    try {
      plan(source, targets)
    } catch (err) {
      expect((err as FanoutError).code).toBe('USAGE')
    }
  })

  test.each([
    ['/srv/sqldata', 'sqldata'],
    ['h0:/srv/sqldata/', 'sqldata'],
    ['/srv/file.tar.gz', 'file.tar.gz'],
    ['relative/dir', 'dir'],
    ['[fe80::1]:/srv/x', 'x'],
  ])('source %j gives the name %j', (source, name) => {
    expect(plan(source, ['h9:/t']).name).toBe(name)
  })
})

describe('hostKey', () => {
  test.each([
    ['/x', 'local'],
    ['localhost:/x', 'local'],
    ['h:/x', 'h'],
    ['u@h:/x', 'u@h'],
    ['u@[fe80::1]:/x', 'u@fe80::1'],
  ])('%s → %s', (spec, key) => {
    expect(hostKey(parseEndpoint(spec, '/home/me'))).toBe(key)
  })
})

describe('stagingName', () => {
  test.each<[string | null, string, string]>([
    ['a94a8fe5ccb19ba61c4c0873d391e987982fbbd3', 'ignored', '.fanout-a94a8fe5ccb19ba6.partial'],
    [null, '0123456789abcdef-rest', '.fanout-0123456789abcdef.partial'],
    [null, 'short', '.fanout-short.partial'],
  ])('(%j, %j) → %j', (infoHash, transferId, expected) => {
    expect(stagingName(infoHash, transferId)).toBe(expected)
  })

  test('the same payload always gets the same name, a different one another', () => {
    const a = stagingName('a'.repeat(40), 'run-1')
    expect(stagingName('a'.repeat(40), 'run-2')).toBe(a)
    expect(stagingName('b'.repeat(40), 'run-1')).not.toBe(a)
  })
})
