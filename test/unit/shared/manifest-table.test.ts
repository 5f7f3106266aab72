import { describe, expect, test } from 'vitest'
import { EntriesBuilder, entriesOf, ManifestView } from '../../../shared/manifest-table.js'
import type { EntryKind, ManifestEntry } from '../../../shared/messages.js'

const entry = (path: string, kind: EntryKind, more: Partial<ManifestEntry> = {}): ManifestEntry => ({
  path,
  kind,
  mode: kind === 'dir' ? 0o755 : 0o644,
  uid: 1,
  gid: 2,
  mtimeMs: 1_700_000_000_000.25,
  atimeMs: 1_700_000_000_001.5,
  size: kind === 'file' ? path.length : 0,
  ...more,
})

const tree: ManifestEntry[] = [
  entry('', 'dir'),
  entry('a', 'dir'),
  entry('a/b', 'dir'),
  entry('a/b/deep.dat', 'file', { digest: 'ab'.repeat(32) }),
  entry('a/link', 'symlink', { linkTarget: '../x y' }),
  entry('top', 'file'),
  entry('z', 'dir'),
  entry('z/also', 'file', { linkTo: 'a/b/deep.dat', size: 12 }),
]

describe('manifest columns', () => {
  test('entries given as objects come back out the same, paths made from names and parents', () => {
    const columns = entriesOf(tree)
    expect(columns.name).toEqual(['', 'a', 'b', 'deep.dat', 'link', 'top', 'z', 'also'])
    expect(columns.parent).toEqual([-1, 0, 1, 2, 1, 0, 0, 6])
    expect(columns.kind).toBe('dddflfdf')
    expect(columns.linkTo).toEqual({ 7: 3 })
    expect([...new ManifestView(columns)]).toEqual(tree)
  })

  test('survive the channel: JSON keys of the sparse columns are text', () => {
    const columns = JSON.parse(JSON.stringify(entriesOf(tree)))
    const view = new ManifestView(columns)
    expect(view.entry(7)).toEqual(tree[7])
    expect(view.entry(3).digest).toBe('ab'.repeat(32))
    expect([...view]).toEqual(tree)
  })

  test('a single file is one entry at the root, with the empty path', () => {
    const builder = new EntriesBuilder()
    builder.add('', -1, { kind: 'file', mode: 0o600, uid: 0, gid: 0, mtimeMs: 1, atimeMs: 2, size: 5 })
    const view = new ManifestView(builder.finish())
    expect(view.count).toBe(1)
    expect(view.entry(0)).toEqual({
      path: '',
      kind: 'file',
      mode: 0o600,
      uid: 0,
      gid: 0,
      mtimeMs: 1,
      atimeMs: 2,
      size: 5,
    })
  })

  type Columns = ReturnType<typeof entriesOf>
  /** A copy of `list` with element `i` replaced. */
  const put = <T>(list: T[], i: number, value: T) => list.map((item, j) => (j === i ? value : item))
  test.each<[string, (columns: Columns) => Partial<Columns>, RegExp]>([
    ['a parent after its child', (c) => ({ parent: put(c.parent, 3, 5) }), /not inside an earlier directory/],
    ['a file as a parent', (c) => ({ parent: put(c.parent, 7, 5) }), /not inside an earlier directory/],
    ['a second root', (c) => ({ parent: put(c.parent, 5, -1) }), /not inside an earlier directory/],
    ['a name with a slash', (c) => ({ name: put(c.name, 5, '../up') }), /no name of its own/],
    ['a name of ..', (c) => ({ name: put(c.name, 5, '..') }), /no name of its own/],
    ['an empty name', (c) => ({ name: put(c.name, 5, '') }), /no name of its own/],
    ['an unknown kind', () => ({ kind: 'dddfxfdf' }), /no known kind/],
    ['a short column', (c) => ({ size: c.size.slice(1) }), /columns differ in length/],
    ['a link to a later entry', () => ({ linkTo: { 3: 7 } }), /links to no earlier file/],
    ['a link to a directory', () => ({ linkTo: { 7: 1 } }), /links to no earlier file/],
  ])('refuses %s', (_why, spoil, message) => {
    const columns = entriesOf(tree)
    expect(() => new ManifestView({ ...columns, ...spoil(columns) })).toThrow(message)
  })
})
