import { describe, expect, test } from 'vitest'
import {
  checkSource,
  checkTarget,
  formatBytes,
  MIN_NODE_MAJOR,
  type Problem,
  requiredBytes,
  type SourceFacts,
  type TargetFacts,
} from '../../../src/core/checks.js'

const MiB = 2 ** 20
const GiB = 2 ** 30

const goodSource: SourceFacts = {
  type: 'directory',
  readable: true,
  writable: false,
  bytes: 10 * MiB,
  nodeVersion: 'v20.11.1',
}

const goodTarget: TargetFacts = {
  type: 'directory',
  readable: true,
  writable: true,
  destinationExists: false,
  availableBytes: 100 * GiB,
  nodeVersion: 'v22.3.0',
}

describe('checkSource', () => {
  test.each<[string, Partial<SourceFacts>, (Pick<Problem, 'code'> & { message: RegExp }) | null]>([
    ['a readable directory', {}, null],
    ['a regular file', { type: 'regular file' }, null],
    ['an empty regular file', { type: 'regular empty file' }, null],
    ['a writable source', { writable: true }, null],
    ['unknown size', { bytes: null }, null],
    ['node 20.0.0 exactly', { nodeVersion: 'v20.0.0' }, null],
    ['node without the v', { nodeVersion: '24.1.0' }, null],
    ['node 100', { nodeVersion: 'v100.0.0' }, null],
    ['a missing path', { type: null }, { code: 'SOURCE_MISSING', message: /does not exist/ }],
    [
      'a fifo',
      { type: 'fifo' },
      { code: 'SOURCE_UNREADABLE', message: /source is a fifo; only files and dir/ },
    ],
    ['a socket', { type: 'socket' }, { code: 'SOURCE_UNREADABLE', message: /is a socket/ }],
    ['a device', { type: 'block special file' }, { code: 'SOURCE_UNREADABLE', message: /block special/ }],
    ['an unreadable directory', { readable: false }, { code: 'SOURCE_UNREADABLE', message: /not readable/ }],
    ['no node', { nodeVersion: null }, { code: 'NODE_MISSING', message: /not installed.*>= 20/ }],
    [
      'garbage node output',
      { nodeVersion: 'command not found' },
      { code: 'NODE_MISSING', message: /not installed/ },
    ],
    ['empty node output', { nodeVersion: '' }, { code: 'NODE_MISSING', message: /not installed/ }],
    ['node 18', { nodeVersion: 'v18.19.0' }, { code: 'NODE_MISSING', message: /node v18\.19\.0 is too old/ }],
    ['node 19.9', { nodeVersion: 'v19.9.0' }, { code: 'NODE_MISSING', message: /too old/ }],
    ['node 8 (one digit)', { nodeVersion: 'v8.17.0' }, { code: 'NODE_MISSING', message: /too old/ }],
    // Only the first problem is reported: a missing source makes the node check moot.
    ['missing, and no node', { type: null, nodeVersion: null }, { code: 'SOURCE_MISSING', message: /./ }],
    ['a fifo, unreadable', { type: 'fifo', readable: false }, { code: 'SOURCE_UNREADABLE', message: /fifo/ }],
  ])('%s', (_why, override, expected) => {
    const problems = checkSource('h0:/srv/data', { ...goodSource, ...override })
    if (expected === null) {
      expect(problems).toEqual([])
    } else {
      expect(problems).toEqual([
        { code: expected.code, endpoint: 'h0:/srv/data', message: expect.stringMatching(expected.message) },
      ])
    }
  })

  test('the minimum node major is 20', () => {
    expect(MIN_NODE_MAJOR).toBe(20)
  })
})

describe('checkTarget', () => {
  const payload = 10 * GiB
  const needed = requiredBytes(payload)
  test.each<[string, Partial<TargetFacts>, (Pick<Problem, 'code'> & { message: RegExp }) | null]>([
    ['a writable directory with room', {}, null],
    ['unknown free space', { availableBytes: null }, null],
    ['exactly enough space', { availableBytes: needed }, null],
    ['an unreadable but writable directory', { readable: false }, null],
    ['a missing directory', { type: null }, { code: 'TARGET_MISSING', message: /does not exist/ }],
    [
      'a regular file',
      { type: 'regular file' },
      { code: 'TARGET_NOT_DIR', message: /is a regular file, not a dir/ },
    ],
    ['a fifo', { type: 'fifo' }, { code: 'TARGET_NOT_DIR', message: /fifo/ }],
    ['a read-only directory', { writable: false }, { code: 'TARGET_NOT_DIR', message: /not writable/ }],
    [
      'an existing destination',
      { destinationExists: true },
      {
        code: 'DESTINATION_EXISTS',
        message: /^sqldata already exists in the target directory; nothing is overwr/,
      },
    ],
    [
      'one byte too little space',
      { availableBytes: needed - 1 },
      { code: 'NO_SPACE', message: /^not enough space: 10\.3 GiB free, 10\.3 GiB needed$/ },
    ],
    ['no space at all', { availableBytes: 0 }, { code: 'NO_SPACE', message: /0 B free, 10\.3 GiB needed/ }],
    ['no node', { nodeVersion: null }, { code: 'NODE_MISSING', message: /not installed/ }],
    ['old node', { nodeVersion: 'v16.20.2' }, { code: 'NODE_MISSING', message: /v16\.20\.2 is too old/ }],
    // One problem per endpoint, the most fundamental first.
    ['missing and no node', { type: null, nodeVersion: null }, { code: 'TARGET_MISSING', message: /./ }],
    [
      'read-only and existing',
      { writable: false, destinationExists: true },
      { code: 'TARGET_NOT_DIR', message: /./ },
    ],
    [
      'existing and full',
      { destinationExists: true, availableBytes: 0 },
      { code: 'DESTINATION_EXISTS', message: /./ },
    ],
    ['full and no node', { availableBytes: 0, nodeVersion: null }, { code: 'NO_SPACE', message: /./ }],
    ['--link: no such name yet', { link: { name: 'current', type: null } }, null],
    ['--link: a symlink', { link: { name: 'current', type: 'symbolic link' } }, null],
    [
      '--link: a real directory',
      { link: { name: 'current', type: 'directory' } },
      {
        code: 'DESTINATION_EXISTS',
        message:
          /^current is a directory in the target directory, not a symlink; --link replaces a symlink only, never a real file or directory$/,
      },
    ],
    [
      '--link: a regular file',
      { link: { name: 'current', type: 'regular empty file' } },
      {
        code: 'DESTINATION_EXISTS',
        message: /^current is a regular empty file in the target directory, not a sym/,
      },
    ],
  ])('%s', (_why, override, expected) => {
    const problems = checkTarget('h1:/srv', 'sqldata', { ...goodTarget, ...override }, payload)
    if (expected === null) {
      expect(problems).toEqual([])
    } else {
      expect(problems).toEqual([
        { code: expected.code, endpoint: 'h1:/srv', message: expect.stringMatching(expected.message) },
      ])
    }
  })
})

describe('requiredBytes', () => {
  test.each([
    [0, 64 * MiB],
    [1, 1 + 64 * MiB + 1],
    [100, 102 + 64 * MiB],
    [50 * MiB, Math.ceil(50 * MiB * 1.02) + 64 * MiB],
    [1e9, 1_020_000_000 + 64 * MiB],
    [10 * 2 ** 40, Math.ceil(10 * 2 ** 40 * 1.02) + 64 * MiB],
  ])('%i bytes need %i', (payload, expected) => {
    expect(requiredBytes(payload)).toBe(expected)
  })

  test('is always more than the payload and grows with it', () => {
    let previous = -1
    for (const payload of [0, 1, 1000, MiB, GiB, 2 ** 40, 2 ** 50]) {
      const needed = requiredBytes(payload)
      expect(needed).toBeGreaterThan(payload)
      expect(needed).toBeGreaterThan(previous)
      expect(Number.isInteger(needed)).toBe(true)
      previous = needed
    }
  })
})

describe('formatBytes', () => {
  test.each([
    [0, '0 B'],
    [1, '1 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [1536, '1.5 KiB'],
    [MiB, '1.0 MiB'],
    [1.25 * MiB, '1.3 MiB'],
    [10 * GiB, '10.0 GiB'],
    [2 ** 40, '1.0 TiB'],
    [2 ** 50, '1.0 PiB'],
    [2 ** 60, '1024.0 PiB'],
  ])('%i → %s', (bytes, expected) => {
    expect(formatBytes(bytes)).toBe(expected)
  })

  // Values just under a unit boundary must read "1.0" of the next unit, never "1024.0" of the one below.
  test.each([
    [MiB - 1, '1.0 MiB'],
    [GiB - 1, '1.0 GiB'],
  ])('%i → %s (not 1024.0 of the unit below)', (bytes, expected) => {
    expect(formatBytes(bytes)).toBe(expected)
  })
})

describe('checkTarget for an archive that unpacks into the directory', () => {
  const unpack = { unpack: true, copies: 1 }

  test('the directory must be empty; its own name inside it does not matter', () => {
    expect(
      checkTarget(
        'h1:/srv/db',
        'snap.tar.gz',
        { ...goodTarget, stranger: null, destinationExists: true },
        MiB,
        unpack,
      ),
    ).toEqual([])
    expect(
      checkTarget('h1:/srv/db', 'snap.tar.gz', { ...goodTarget, stranger: 'ibdata1' }, MiB, unpack),
    ).toEqual([
      {
        code: 'TARGET_NOT_EMPTY',
        endpoint: 'h1:/srv/db',
        message:
          'target directory is not empty (it holds ibdata1); the archive unpacks into an empty directory',
      },
    ])
  })

  test('a target that keeps the archive while unpacking it needs room for two', () => {
    const facts = { ...goodTarget, stranger: null, availableBytes: requiredBytes(GiB) + MiB }
    expect(checkTarget('h1:/d', 'x.tar', facts, GiB, unpack)).toEqual([])
    expect(checkTarget('h1:/d', 'x.tar', facts, GiB, { unpack: true, copies: 2 })[0]?.code).toBe('NO_SPACE')
  })
})
