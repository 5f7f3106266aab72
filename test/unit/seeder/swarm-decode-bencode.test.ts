import bencode from 'bencode'
import { describe, expect, test } from 'vitest'
import { decodeBencode } from '../../../seeder/swarm/decode-bencode.js'

/** Both decoders' results, with byte strings as plain arrays so views and copies compare equal. */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return [...value]
  if (Array.isArray(value)) return value.map(plain)
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]))
  }
  return value
}

describe('decodeBencode', () => {
  test.each<[string, unknown]>([
    ['an integer', 42],
    ['a negative integer', -7],
    ['zero', 0],
    ['an empty string', ''],
    ['a string', 'spam'],
    ['binary bytes', Buffer.from([0, 255, 58, 101, 100])],
    ['a list', [1, 'two', [3]]],
    ['an empty list and dict', { a: [], b: {} }],
    [
      'a torrent-like dict',
      {
        info: { files: [{ length: 5, path: ['日本', 'x:y'] }], name: 'n', 'piece length': 16384, private: 1 },
      },
    ],
    ['a key that is not UTF-8', { [Buffer.from([0xff, 0xfe]).toString('latin1')]: 1 }],
  ])('%s: what bencode.decode gives', (_why, value) => {
    const encoded = Buffer.from(bencode.encode(value))
    expect(plain(decodeBencode(encoded))).toEqual(plain(bencode.decode(encoded)))
  })

  test('byte strings are views into the input, not copies', () => {
    const encoded = Buffer.from(bencode.encode({ path: ['abc'] }))
    const decoded = decodeBencode(encoded) as { path: Uint8Array[] }
    expect(decoded.path[0]?.buffer).toBe(encoded.buffer)
  })

  test.each(['i12', '5:abc', 'l1:a', 'd1:a', 'x', '3:abcd', 'i1e2'])('refuses the malformed %j', (text) => {
    expect(() => decodeBencode(Buffer.from(text))).toThrow(/bencode/)
  })
})
