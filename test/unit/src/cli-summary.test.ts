import { describe, expect, test } from 'vitest'
import { linkLine, problemLines, summaryLines } from '../../../src/cli/summary.js'
import type { LinkKept } from '../../../src/core/link-verdicts.js'
import type { TargetResult, TransferResult } from '../../../src/run/run-transfer.js'

const MiB = 2 ** 20

function result(over: Partial<TransferResult>): TransferResult {
  return {
    outcome: 'ok',
    transferId: 'id',
    transport: 'swarm',
    source: 'h0:/srv/data',
    bytes: 5 * MiB,
    seconds: 75,
    targets: [],
    problems: [],
    leftovers: [],
    warnings: [],
    usage: [],
    sites: { from: 'single', groups: [{ label: 'dc1', source: true, targets: [] }] },
    ...over,
  }
}

const ok = (target: string, path?: string): TargetResult => ({
  target,
  status: 'ok',
  bytes: 5 * MiB,
  seconds: 62,
  ...(path === undefined ? {} : { path }),
})

describe('summaryLines', () => {
  test.each<[string, TransferResult, string[]]>([
    [
      'a stream says what crossed the wire and how long the read-back took',
      result({
        transport: 'stream',
        targets: [{ ...ok('h1:/srv', '/srv/data'), wireBytes: 1.25 * MiB, readBackSeconds: 0.42 }],
      }),
      [
        'ok      h1:/srv/data  5.0 MiB in 1:02, 1.3 MiB on the wire (25%), read back in 0.4 s',
        '1/1 targets hold a verified copy of h0:/srv/data (5.0 MiB, 1:15)',
      ],
    ],
    [
      'with a base: bytes received beside what came from the base; a target without one says nothing of it',
      result({
        targets: [
          {
            ...ok('h1:/srv', '/srv/data'),
            received: 0.25 * MiB,
            fromBase: { found: true, files: 1980, bytes: 4.75 * MiB },
          },
          {
            ...ok('h2:/srv', '/srv/data'),
            received: 5 * MiB,
            fromBase: { found: false, files: 0, bytes: 0 },
          },
        ],
      }),
      [
        'ok      h1:/srv/data  5.0 MiB in 1:02, 256.0 KiB received, 4.8 MiB from the base (1980 files)',
        'ok      h2:/srv/data  5.0 MiB in 1:02',
        '2/2 targets hold a verified copy of h0:/srv/data (5.0 MiB, 1:15)',
      ],
    ],
    [
      'a hot backup: where each prepared copy stands, and how much the targets held as it completed',
      result({
        source: 'db1:/run/mysqld/mysqld.sock',
        targets: [
          {
            ...ok('h1:/srv/sqldata', '/srv/sqldata'),
            replication: {
              binlogFile: 'db1-bin.000042',
              binlogPosition: 1234,
              gtid: '0-171-99',
              slaveInfo: null,
            },
          },
        ],
        backup: { bytes: 5 * MiB, seconds: 70, heldByTargets: 0.874 },
      }),
      [
        'ok      h1:/srv/sqldata  5.0 MiB in 1:02',
        '        stands at db1-bin.000042:1234, GTID 0-171-99',
        'backup: 5.0 MiB, completed OK at 1:10, when the targets held 87% of it',
        '1/1 targets hold a verified copy of db1:/run/mysqld/mysqld.sock (5.0 MiB, 1:15)',
      ],
    ],
    [
      'the source lost after the targets held every piece: when, why, and that it cost nothing',
      result({
        targets: [ok('h1:/srv', '/srv/data')],
        sourceLost: {
          seconds: 12.3,
          reason: 'agent was killed by SIGKILL',
          heldPieces: 5,
          pieces: 5,
          survived: true,
          resumable: true,
        },
      }),
      [
        'ok      h1:/srv/data  5.0 MiB in 1:02',
        'source lost at 0:12 (agent was killed by SIGKILL): the targets held all 5 pieces between them and finished from each other',
        '1/1 targets hold a verified copy of h0:/srv/data (5.0 MiB, 1:15)',
      ],
    ],
    [
      'the source lost before that: how much the targets held',
      result({
        outcome: 'failed',
        targets: [
          {
            target: 'h1:/srv',
            status: 'failed',
            bytes: 0,
            seconds: 3,
            error: { code: 'SOURCE_LOST', message: 'the source was lost' },
          },
        ],
        sourceLost: {
          seconds: 3.2,
          reason: 'agent was killed by SIGKILL',
          heldPieces: 2,
          pieces: 5,
          survived: false,
          resumable: true,
        },
      }),
      [
        'FAILED  h1:/srv [SOURCE_LOST] the source was lost',
        'source lost at 0:03 (agent was killed by SIGKILL): the targets held 2 of 5 pieces between them; a rerun resumes',
        '0/1 targets hold a verified copy of h0:/srv/data (5.0 MiB, 1:15)',
      ],
    ],
    [
      'every target ok',
      result({ targets: [ok('h1:/srv', '/srv/data'), ok('h2:/srv', '/srv/data')] }),
      [
        'ok      h1:/srv/data  5.0 MiB in 1:02',
        'ok      h2:/srv/data  5.0 MiB in 1:02',
        '2/2 targets hold a verified copy of h0:/srv/data (5.0 MiB, 1:15)',
      ],
    ],
    [
      'each copy is named on its host; a local one by its path alone',
      result({
        targets: [
          ok('ops@h1:/srv', '/srv/data'),
          ok('[fd00::2]:/srv', '/srv/data'),
          ok('localhost:/tmp/t', '/tmp/t/data'),
          ok('/tmp/u', '/tmp/u/data'),
        ],
      }),
      [
        'ok      ops@h1:/srv/data  5.0 MiB in 1:02',
        'ok      [fd00::2]:/srv/data  5.0 MiB in 1:02',
        'ok      /tmp/t/data  5.0 MiB in 1:02',
        'ok      /tmp/u/data  5.0 MiB in 1:02',
        '4/4 targets hold a verified copy of h0:/srv/data (5.0 MiB, 1:15)',
      ],
    ],
    [
      'an ok target without a final path shows the target',
      result({ targets: [ok('h1:/srv')] }),
      [
        'ok      h1:/srv  5.0 MiB in 1:02',
        '1/1 targets hold a verified copy of h0:/srv/data (5.0 MiB, 1:15)',
      ],
    ],
    [
      'failures, with and without an error',
      result({
        outcome: 'failed',
        targets: [
          {
            target: 'h1:/srv',
            status: 'failed',
            bytes: 0,
            seconds: 3,
            error: { code: 'STALLED', message: 'no data' },
          },
          { target: 'h2:/srv', status: 'aborted', bytes: 0, seconds: 3 },
          { target: 'h3:/srv', status: 'not-started', bytes: 0, seconds: 0 },
        ],
      }),
      [
        'FAILED  h1:/srv [STALLED] no data',
        'ABORTED h2:/srv',
        'NOT-STARTED h3:/srv',
        '0/3 targets hold a verified copy of h0:/srv/data (5.0 MiB, 1:15)',
      ],
    ],
    [
      'warnings and leftovers come last',
      result({
        targets: [ok('h1:/srv', '/srv/data')],
        warnings: ['skipped a fifo'],
        leftovers: ['rm /tmp/x on h1'],
      }),
      [
        'ok      h1:/srv/data  5.0 MiB in 1:02',
        '1/1 targets hold a verified copy of h0:/srv/data (5.0 MiB, 1:15)',
        'warning: skipped a fifo',
        'warning: cleanup failed: rm /tmp/x on h1',
      ],
    ],
    [
      'sites inferred from round-trip times: one line with each site and its median time',
      result({
        targets: [ok('h1:/srv', '/srv/data'), ok('h2:/srv', '/srv/data'), ok('h3:/srv', '/srv/data')],
        sites: {
          from: 'inferred',
          groups: [
            { label: 'dc1', source: true, targets: ['h1:/srv'], rttMs: [0.123] },
            { label: 'dc2', source: false, targets: ['h2:/srv', 'h3:/srv'], rttMs: [44.2, 43.6] },
          ],
        },
      }),
      [
        'ok      h1:/srv/data  5.0 MiB in 1:02',
        'ok      h2:/srv/data  5.0 MiB in 1:02',
        'ok      h3:/srv/data  5.0 MiB in 1:02',
        'sites: dc1 = source + 1 target, dc2 = 2 targets (inferred from round-trip times to the source: 0.12 ms / 44 ms)',
        '3/3 targets hold a verified copy of h0:/srv/data (5.0 MiB, 1:15)',
      ],
    ],
    [
      'the source alone in its site, and a site from a topology file',
      result({
        targets: [ok('h1:/srv', '/srv/data')],
        sites: {
          from: 'topology',
          file: 'dcs.txt',
          groups: [
            { label: 'east', source: true, targets: [] },
            { label: 'west', source: false, targets: ['h1:/srv'] },
          ],
        },
      }),
      [
        'ok      h1:/srv/data  5.0 MiB in 1:02',
        'sites: east = source, west = 1 target (from dcs.txt)',
        '1/1 targets hold a verified copy of h0:/srv/data (5.0 MiB, 1:15)',
      ],
    ],
    [
      'a preflight failure prints no summary (the problems say it all)',
      result({
        outcome: 'preflight-failed',
        targets: [{ target: 'h1:/srv', status: 'not-started', bytes: 0, seconds: 0 }],
        warnings: ['w'],
      }),
      [],
    ],
  ])('%s', (_why, input, expected) => {
    expect(summaryLines(input)).toEqual(expected)
  })
})

describe('linkLine (--link)', () => {
  const linked = (target: string, previous: string | null = 'release-42'): TargetResult => ({
    ...ok(target, '/srv/release-43'),
    link: { name: 'current', to: 'release-43', switched: true, previous },
  })
  const kept = (
    target: string,
    reason: LinkKept,
    status: TargetResult['status'] = 'failed',
  ): TargetResult => ({
    target,
    status,
    bytes: 0,
    seconds: 3,
    link: { name: 'current', to: 'release-43', switched: false, reason },
  })

  test.each<[string, TargetResult[], string | undefined]>([
    ['no --link: no line', [ok('h1:/srv', '/srv/release-43')], undefined],
    [
      'every target switched',
      [linked('h1:/srv'), linked('h2:/srv', null)],
      'linked current -> release-43 on 2 of 2 targets',
    ],
    [
      'each: one copy failed, its target kept its link',
      [linked('h1:/srv'), linked('h2:/srv'), linked('h3:/srv'), kept('h4:/srv', 'copy-failed')],
      'linked current -> release-43 on 3 of 4 targets; h4:/srv kept its link (its copy failed)',
    ],
    [
      'several reasons, each with its targets',
      [
        linked('h1:/srv'),
        kept('h2:/srv', 'copy-failed'),
        kept('h3:/srv', 'copy-failed'),
        kept('h4:/srv', 'switch-failed'),
      ],
      'linked current -> release-43 on 1 of 4 targets; h2:/srv, h3:/srv kept their links (their copies failed); h4:/srv kept its link (its switch failed)',
    ],
    [
      'all: one copy failed, none switched, and the line says why',
      [
        kept('h1:/srv', 'another-copy-failed', 'ok'),
        kept('h2:/srv', 'another-copy-failed', 'ok'),
        kept('h3:/srv', 'another-copy-failed', 'ok'),
        kept('h4:/srv', 'copy-failed'),
      ],
      'linked current -> release-43 on 0 of 4 targets; h4:/srv kept its link (its copy failed); the 3 others kept theirs too (--link-when all)',
    ],
    [
      'all: two targets, one copy failed',
      [kept('h1:/srv', 'another-copy-failed', 'ok'), kept('h2:/srv', 'copy-failed')],
      'linked current -> release-43 on 0 of 2 targets; h2:/srv kept its link (its copy failed); the other kept its link too (--link-when all)',
    ],
    [
      'interrupted',
      [linked('h1:/srv'), kept('h2:/srv', 'interrupted', 'aborted')],
      'linked current -> release-43 on 1 of 2 targets; h2:/srv kept its link (interrupted)',
    ],
  ])('%s', (_why, targets, expected) => {
    expect(linkLine(targets)).toBe(expected)
  })

  test('the line comes after the count of verified copies', () => {
    const lines = summaryLines(result({ targets: [linked('h1:/srv')] }))
    expect(lines.slice(-2)).toEqual([
      '1/1 targets hold a verified copy of h0:/srv/data (5.0 MiB, 1:15)',
      'linked current -> release-43 on 1 of 1 targets',
    ])
  })
})

describe('problemLines', () => {
  test.each<[string, TransferResult, string[]]>([
    ['no problems', result({}), []],
    [
      'one line per problem, in order',
      result({
        outcome: 'preflight-failed',
        problems: [
          { code: 'TARGET_MISSING', endpoint: 'h1:/srv', message: 'target directory does not exist' },
          { code: 'NODE_MISSING', endpoint: 'h2:/srv', message: 'node is not installed' },
        ],
      }),
      ['fanout: h1:/srv: target directory does not exist', 'fanout: h2:/srv: node is not installed'],
    ],
  ])('%s', (_why, input, expected) => {
    expect(problemLines(input)).toEqual(expected)
  })
})
