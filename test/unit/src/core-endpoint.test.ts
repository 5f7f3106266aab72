import { describe, expect, test } from 'vitest'
import { FanoutError } from '../../../shared/errors.js'
import { baseName, type Endpoint, isBareHost, normalize, parseEndpoint } from '../../../src/core/endpoint.js'

const CWD = '/home/me/work'

describe('parseEndpoint', () => {
  // What the user typed, and the endpoint it must become (spec is always kept verbatim).
  test.each<[string, Omit<Endpoint, 'spec'>]>([
    ['host:/srv/data', { host: 'host', path: '/srv/data' }],
    ['user@host:/srv/data', { host: 'host', user: 'user', path: '/srv/data' }],
    ['db-1.example.com:/srv', { host: 'db-1.example.com', path: '/srv' }],
    ['10.0.0.7:/srv', { host: '10.0.0.7', path: '/srv' }],
    ['[fe80::1]:/srv', { host: 'fe80::1', path: '/srv' }],
    ['[2001:db8::7]:/a/b', { host: '2001:db8::7', path: '/a/b' }],
    ['root@[2001:db8::7]:/a/b', { host: '2001:db8::7', user: 'root', path: '/a/b' }],
    ['host:/srv//data/./x/../y/', { host: 'host', path: '/srv/data/y' }],
    ['host:/', { host: 'host', path: '/' }],
    ['host:/p:with:colons', { host: 'host', path: '/p:with:colons' }],
    ['user@localhost:/srv', { host: 'localhost', user: 'user', path: '/srv' }],
  ])('%s is remote', (spec, expected) => {
    expect(parseEndpoint(spec, CWD)).toEqual({ spec, ...expected })
  })

  test.each<[string, string]>([
    ['/srv/data', '/srv/data'],
    ['/srv/data/', '/srv/data'],
    ['data', '/home/me/work/data'],
    ['sub/dir', '/home/me/work/sub/dir'],
    ['../other', '/home/me/other'],
    ['.', '/home/me/work'],
    ['./a:b', '/home/me/work/a:b'],
    ['dir/a:b', '/home/me/work/dir/a:b'],
    ['/abs/a:b', '/abs/a:b'],
    ['localhost:/srv/data', '/srv/data'],
    ['localhost:rel', '/home/me/work/rel'],
    ['127.0.0.1:/srv', '/srv'],
    ['[::1]:/srv', '/srv'],
  ])('%s is local at %s', (spec, path) => {
    expect(parseEndpoint(spec, CWD)).toEqual({ spec, host: null, path })
  })

  test.each<[string, RegExp]>([
    ['', /empty path/],
    ['   ', /empty path/],
    [':/srv', /no host name/],
    ['@host:/srv', /no host name/],
    ['user@:/srv', /no host name/],
    ['[]:/srv', /no host name/],
    ['host:', /no path after the colon/],
    ['user@host:', /no path after the colon/],
    ['[fe80::1]:', /no path after the colon/],
    ['host:relative/path', /remote paths must be absolute/],
    ['host:~/x', /remote paths must be absolute/],
    ['[fe80::1]:srv', /remote paths must be absolute/],
    ['[fe80::1/srv', /unbalanced \[/],
    ['user@[fe80::1:/srv', /unbalanced \[/],
    ['[fe80::1]', /unbalanced \[/],
  ])('%j is rejected with USAGE (%s)', (spec, message) => {
    const error = catchError(() => parseEndpoint(spec, CWD))
    expect(error).toBeInstanceOf(FanoutError)
    expect(error).toMatchObject({ code: 'USAGE', message: expect.stringMatching(message) })
  })
})

describe('normalize', () => {
  test.each([
    ['/', '/'],
    ['', '/'],
    ['/a/b', '/a/b'],
    ['/a/b/', '/a/b'],
    ['//a///b//', '/a/b'],
    ['/a/./b/.', '/a/b'],
    ['/a/b/../c', '/a/c'],
    ['/a/../../..', '/'],
    ['/..', '/'],
    ['a/b', '/a/b'],
    ['/a/b/c/../../d', '/a/d'],
    ['/a/..b/c..', '/a/..b/c..'],
  ])('%j → %j', (input, expected) => {
    expect(normalize(input)).toBe(expected)
  })
})

describe('baseName', () => {
  test.each([
    ['/srv/data', 'data'],
    ['/data', 'data'],
    ['/a/b/file.tar.gz', 'file.tar.gz'],
    ['/', ''],
    ['name', 'name'],
  ])('%j → %j', (input, expected) => {
    expect(baseName(input)).toBe(expected)
  })
})

function catchError(fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return err
  }
  throw new Error('expected a throw')
}

describe('isBareHost', () => {
  test.each([
    'db1',
    'ops@db1',
    'db-1.example.com',
    '10.0.0.7',
    '[fe80::1]',
    'root@[2001:db8::7]',
    'fe80::1',
    'fe80::1%eth0',
  ])('%s names a host alone', (word) => expect(isBareHost(word)).toBe(true))

  test.each([
    'db1:/srv',
    'db1:rel',
    '/srv',
    './a',
    'a/b',
    '[fe80::1]:/srv',
    'localhost:rel',
    'dead:beef',
    '@db1',
  ])('%s is an endpoint', (word) => expect(isBareHost(word)).toBe(false))
})
