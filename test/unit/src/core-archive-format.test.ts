import { describe, expect, test } from 'vitest'
import {
  archiveFormatOf,
  compressionOf,
  isCompressed,
  unpackCommands,
} from '../../../src/core/archive-format.js'

/** A 512-byte block with "ustar" where a tar header has it. */
function tarHeader(): Uint8Array {
  const block = Buffer.alloc(512)
  block.write('top/', 0)
  block.write('ustar', 257)
  return block
}

const gzipMagic = Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0])
const zstdMagic = Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0])

describe('archiveFormatOf', () => {
  test.each([
    ['a plain tar', { raw: tarHeader() }, 'tar'],
    ['a gzip tarball', { raw: gzipMagic, inner: tarHeader() }, 'tar.gz'],
    ['a zstd tarball', { raw: zstdMagic, inner: tarHeader() }, 'tar.zst'],
  ])('decompress takes %s', (_what, head, format) => {
    expect(archiveFormatOf('decompress', head)).toEqual({ format })
  })

  test.each([
    ['random bytes', { raw: Uint8Array.from([1, 2, 3]) }, 'is not a tarball: a file without a tar header'],
    [
      'gzip of something else',
      { raw: gzipMagic, inner: Buffer.from('hello') },
      'a gzip file without a tar header',
    ],
    ['zstd that would not decompress', { raw: zstdMagic }, 'a zstd file without a tar header'],
    ['an empty file', { raw: new Uint8Array(0) }, 'is not a tarball'],
  ])('decompress refuses %s', (_what, head, message) => {
    const found = archiveFormatOf('decompress', head)
    expect(found).toHaveProperty('problem')
    expect((found as { problem: string }).problem).toContain(message)
  })

  test('xtrabackup takes an xbstream by its magic, whatever the name', () => {
    expect(archiveFormatOf('xtrabackup', { raw: Buffer.from('XBSTCK01\0\0\0') })).toEqual({
      format: 'xbstream',
    })
    expect(archiveFormatOf('xtrabackup', { raw: tarHeader() })).toEqual({
      problem: 'is not an xbstream (the output of mariadb-backup --stream=xbstream)',
    })
  })
})

test('compressionOf reads the magic number only', () => {
  expect(compressionOf(gzipMagic)).toBe('gzip')
  expect(compressionOf(zstdMagic)).toBe('zstd')
  expect(compressionOf(tarHeader())).toBeNull()
  expect(compressionOf(Uint8Array.from([0x1f]))).toBeNull()
})

test('each format names the commands that unpack it, and whether the stream should compress it', () => {
  expect(unpackCommands('tar.gz')).toEqual(['tar', 'gzip'])
  expect(unpackCommands('tar.zst')).toEqual(['tar', 'zstd'])
  expect(unpackCommands('xbstream')).toEqual(['mbstream'])
  expect([
    isCompressed('tar'),
    isCompressed('tar.gz'),
    isCompressed('tar.zst'),
    isCompressed('xbstream'),
  ]).toEqual([false, true, true, false])
})
