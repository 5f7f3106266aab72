import bencode from 'bencode'
import { describe, expect, test } from 'vitest'
import { BencodeWriter } from '../../../seeder/package/bencode-writer.js'

describe('BencodeWriter', () => {
  test('writes what bencode.encode writes for the same value, keys given sorted', () => {
    const writer = new BencodeWriter()
    writer.token('d').string('a').int(-42).string('b').token('l').string('日本語 café').string('').token('e')
    writer.string('c').zeros(3).string('d').int(0).token('e')
    const expected = bencode.encode({ a: -42, b: ['日本語 café', ''], c: Buffer.alloc(3), d: 0 })
    expect(writer.result().equals(Buffer.from(expected))).toBe(true)
  })

  test('grows past its first buffer without losing a byte', () => {
    const writer = new BencodeWriter()
    const names = Array.from({ length: 20_000 }, (_, i) => `name-${i}`)
    writer.token('l')
    for (const name of names) writer.string(name)
    writer.zeros(100_000).token('e')
    const expected = bencode.encode([...names, Buffer.alloc(100_000)])
    expect(writer.length).toBe(expected.length)
    expect(writer.result().equals(Buffer.from(expected))).toBe(true)
  })

  test('refuses an integer bencode cannot carry exactly', () => {
    expect(() => new BencodeWriter().int(2 ** 53)).toThrow(RangeError)
    expect(() => new BencodeWriter().int(1.5)).toThrow(RangeError)
  })
})
