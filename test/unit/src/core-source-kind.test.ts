import { describe, expect, test } from 'vitest'
import type { SourceFacts } from '../../../src/core/checks.js'
import { backupCapacity, type ServerFacts, sourceKind } from '../../../src/core/source-kind.js'

const GiB = 2 ** 30
const socketFacts: SourceFacts = {
  type: 'socket',
  readable: true,
  writable: false,
  bytes: 0,
  nodeVersion: 'v20.1.0',
}
const server: ServerFacts = {
  error: null,
  datadir: '/srv/sqldata',
  datadirBytes: 10 * GiB,
  replica: false,
  spoolAvailableBytes: 100 * GiB,
}
const opts = { stopSlave: false, spools: false }

function problemOf(found: ReturnType<typeof sourceKind>): string {
  if (!('problems' in found)) throw new Error('expected a problem')
  return found.problems.map((p) => `${p.code}: ${p.message}`).join('; ')
}

describe('a server socket as --type xtrabackup source', () => {
  test('is a hot backup of its datadir, sized by the datadir until it ends', () => {
    expect(
      sourceKind('db1:/run/mysqld.sock', '/run/mysqld.sock', 'xtrabackup', { ...socketFacts, server }, opts),
    ).toEqual({
      kind: {
        archive: 'xbstream',
        backupOf: { socket: '/run/mysqld.sock', datadir: '/srv/sqldata' },
        payloadBytes: 10 * GiB,
      },
    })
  })

  test.each([
    [
      "ERROR 2002 (HY000): Can't connect to local server through socket '/s.sock' (111)",
      "DATABASE: no MariaDB server answers on /s.sock: ERROR 2002 (HY000): Can't connect to local server through socket '/s.sock' (111)",
    ],
    [
      "ERROR 1045 (28000): Access denied for user 'root'@'localhost'",
      "DATABASE: the server refused the login (fanout uses this host's client config, e.g. ~/.my.cnf): ERROR 1045 (28000): Access denied for user 'root'@'localhost'",
    ],
    [
      'ERROR 1227 (42000): something else',
      'DATABASE: cannot query the server on /s.sock: ERROR 1227 (42000): something else',
    ],
  ])('a client that fails says why: %s', (error, message) => {
    const facts = { ...socketFacts, server: { ...server, error } }
    expect(problemOf(sourceKind('h:/s.sock', '/s.sock', 'xtrabackup', facts, opts))).toBe(message)
  })

  test('--stop-slave needs a replica; the swarm needs room to spool the backup', () => {
    const facts = { ...socketFacts, server }
    expect(problemOf(sourceKind('h:/s', '/s', 'xtrabackup', facts, { stopSlave: true, spools: false }))).toBe(
      'DATABASE: --stop-slave: the server on /s is not a replica',
    )
    const tight = { ...socketFacts, server: { ...server, spoolAvailableBytes: 5 * GiB } }
    expect(
      problemOf(sourceKind('h:/s', '/s', 'xtrabackup', tight, { stopSlave: false, spools: true })),
    ).toMatch(
      /^NO_SPACE: not enough space to spool the backup in \$TMPDIR \(or \/tmp\): 5\.0 GiB free, 10\.3 GiB needed/,
    )
    expect('kind' in sourceKind('h:/s', '/s', 'xtrabackup', tight, { stopSlave: false, spools: false })).toBe(
      true,
    )
  })

  test('a socket is no source for the other types', () => {
    expect(problemOf(sourceKind('h:/s', '/s', 'file', socketFacts, opts))).toBe(
      'SOURCE_UNREADABLE: source is a socket; only files and directories can be sent',
    )
  })
})

describe('files and directories', () => {
  const dir: SourceFacts = {
    type: 'directory',
    readable: true,
    writable: false,
    bytes: 42,
    nodeVersion: 'v20.1.0',
  }

  test('--type file takes them as they are', () => {
    expect(sourceKind('h:/d', '/d', 'file', dir, opts)).toEqual({
      kind: { archive: null, backupOf: null, payloadBytes: 42 },
    })
  })

  test('a directory is no archive', () => {
    expect(problemOf(sourceKind('h:/d', '/d', 'xtrabackup', { ...dir, head: null }, opts))).toBe(
      "SOURCE_FORMAT: source is a directory; --type xtrabackup takes an xbstream file or a server's socket",
    )
    expect(problemOf(sourceKind('h:/d', '/d', 'decompress', { ...dir, head: null }, opts))).toBe(
      'SOURCE_FORMAT: source is a directory; --type decompress takes a tarball',
    )
  })

  test('an xbstream file is unpacked on every target', () => {
    const file = { ...dir, type: 'regular file', head: { raw: Buffer.from('XBSTCK01') } }
    expect(sourceKind('h:/b.xb', '/b.xb', 'xtrabackup', file, opts)).toEqual({
      kind: { archive: 'xbstream', backupOf: null, payloadBytes: 42 },
    })
  })
})

test("a backup's torrent has room for twice the datadir and a redo log's worth more", () => {
  expect(backupCapacity(10 * GiB)).toBe(21 * GiB)
})
