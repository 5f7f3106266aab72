import { describe, expect, test } from 'vitest'
import { safeJoin } from '../../../seeder/place/safe-path.js'

const ROOT = '/srv/.fanout-0123.partial/data'

describe('safeJoin', () => {
  test.each([
    ['', ROOT],
    ['a', `${ROOT}/a`],
    ['a/b/c.txt', `${ROOT}/a/b/c.txt`],
    ['...', `${ROOT}/...`],
    ['..a/b..', `${ROOT}/..a/b..`],
    ['.hidden', `${ROOT}/.hidden`],
    ['with space/"q":?*', `${ROOT}/with space/"q":?*`],
    ['back\\slash', `${ROOT}/back\\slash`],
    ['日本語/ü', `${ROOT}/日本語/ü`],
  ])('%j stays under the root', (rel, expected) => {
    const joined = safeJoin(ROOT, rel)
    expect(joined).toBe(expected)
    expect(joined === ROOT || joined.startsWith(`${ROOT}/`)).toBe(true)
  })

  test.each([
    '..',
    '../x',
    'a/../../x',
    'a/..',
    'a/../b',
    '.',
    './a',
    'a/./b',
    '/etc/passwd',
    '/',
    'a//b',
    'a/',
    '//',
    'a\0b',
    '\0',
    'dir/\0/x',
  ])('%j is refused', (rel) => {
    expect(() => safeJoin(ROOT, rel)).toThrowError(`unsafe path in manifest: ${JSON.stringify(rel)}`)
  })
})
