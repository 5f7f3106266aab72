import { join } from 'node:path'
import bencode from 'bencode'
import { describe, expect, test } from 'vitest'
import { TorrentFiles } from '../../../seeder/swarm/torrent-files.js'

/** A bencoded `files` list, read from its first byte. */
function filesOf(files: unknown[]): TorrentFiles {
  return TorrentFiles.list({ bytes: Buffer.from(bencode.encode(files)), position: 0 }, 'payload')
}

describe('TorrentFiles', () => {
  test('offsets, lengths and paths from the bytes, the name first', () => {
    const files = filesOf([
      { length: 5, path: ['a.bin'] },
      { length: 7, path: ['sub', '日本語 café'], extra: 'ignored' },
      { path: ['z', 'last'], length: 1 },
    ])
    expect(files.count).toBe(3)
    expect([0, 1, 2].map((i) => [files.offset(i), files.length(i), files.path(i)])).toEqual([
      [0, 5, join('payload', 'a.bin')],
      [5, 7, join('payload', 'sub', '日本語 café')],
      [12, 1, join('payload', 'z', 'last')],
    ])
    expect(files.offset(3)).toBe(13)
  })

  test('a single file is the torrent itself', () => {
    const files = TorrentFiles.single(Buffer.alloc(0), 'one.bin', 42)
    expect([files.count, files.offset(0), files.length(0), files.path(0)]).toEqual([1, 0, 42, 'one.bin'])
  })

  test.each<[string, unknown[]]>([
    ['a file without a length', [{ path: ['a'] }]],
    ['a file without a path', [{ length: 1 }]],
    ['a negative length', [{ length: -1, path: ['a'] }]],
  ])('refuses %s', (_why, list) => {
    expect(() => filesOf(list)).toThrow(/without length or path/)
  })
})
