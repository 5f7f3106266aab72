import { describe, expect, test } from 'vitest'
import { renderLive, renderPlain } from '../../../src/cli/render-progress.js'
import { emptyCounters, type ProgressSnapshot, type TargetProgress } from '../../../src/core/progress.js'

const MiB = 2 ** 20

function target(name: string, over: Partial<TargetProgress> = {}): TargetProgress {
  return { ...emptyCounters(), target: name, state: 'downloading', ...over }
}

function snap(over: Partial<ProgressSnapshot> = {}): ProgressSnapshot {
  return {
    phase: 'transferring',
    totalBytes: 4 * MiB,
    hashedBytes: 4 * MiB,
    elapsedMs: 65_000,
    targets: [
      target('h1:/srv', { downloaded: MiB, downloadRate: MiB, peers: 3 }),
      target('h2:/srv', { downloaded: 4 * MiB, state: 'done' }),
    ],
    rate: 2 * MiB,
    etaSeconds: 3,
    ...over,
  }
}

const longName = `root@very-long-host-name-${'x'.repeat(80)}.example.com:/srv/${'deep/'.repeat(20)}`
const snapshots: [string, ProgressSnapshot][] = [
  ['transferring', snap()],
  ['hashing', snap({ phase: 'hashing', hashedBytes: MiB, etaSeconds: null, rate: 0 })],
  ['no targets', snap({ targets: [] })],
  ['an empty payload', snap({ totalBytes: 0, hashedBytes: 0 })],
  [
    'a failure with a long message',
    snap({
      targets: [
        target(longName, {
          state: 'failed',
          error: { code: 'STALLED', message: `no data for 300 s ${'because '.repeat(30)}` },
        }),
      ],
    }),
  ],
  ['a huge transfer', snap({ totalBytes: 2 ** 50, rate: 2 ** 40, etaSeconds: 360_000, elapsedMs: 3.6e9 })],
]

describe('renderLive', () => {
  const widths = [1, 2, 10, 40, 80, 120, 400]
  test.each(snapshots.flatMap(([name, s]) => widths.map((w) => [name, w, s] as const)))(
    '%s: every line fits %i columns',
    (_name, width, s) => {
      const lines = renderLive(s, width)
      expect(lines).toHaveLength(1 + s.targets.length)
      for (const line of lines) {
        expect(line.length).toBeLessThanOrEqual(width)
        expect(line).not.toContain('\n')
      }
    },
  )

  test('a line that fits is left whole, a longer one ends in an ellipsis', () => {
    const whole = renderLive(snap(), 1000)
    const cut = renderLive(snap(), 30)
    cut.forEach((line, i) => {
      const full = whole[i] as string
      expect(line).toBe(`${full.slice(0, 29)}…`)
    })
    expect(renderLive(snap(), (whole[0] as string).length)[0]).toBe(whole[0])
  })

  test.each<[string, ProgressSnapshot, string[]]>([
    [
      'transferring',
      snap(),
      [
        'fanout transferring  4.0 MiB → 2 targets  2.0 MiB/s  ETA 0:03  elapsed 1:05',
        '  [#####...............]  25%    1.0 MiB/s  3 peers  h1:/srv  downloading',
        '  [####################] 100%        0 B/s  0 peers  h2:/srv  done',
      ],
    ],
    [
      'hashing, no ETA',
      snap({
        phase: 'hashing',
        hashedBytes: MiB,
        etaSeconds: null,
        targets: [target('h1:/srv', { state: 'starting' })],
      }),
      [
        'fanout hashing (hashed 25%)  4.0 MiB → 1 targets  2.0 MiB/s  elapsed 1:05',
        '  [....................]   0%        0 B/s  0 peers  h1:/srv  starting',
      ],
    ],
    [
      'a failed target shows its error',
      snap({
        targets: [target('h1:/srv', { state: 'failed', error: { code: 'STALLED', message: 'no data' } })],
      }),
      [
        'fanout transferring  4.0 MiB → 1 targets  2.0 MiB/s  ETA 0:03  elapsed 1:05',
        '  [....................]   0%        0 B/s  0 peers  h1:/srv  failed: no data',
      ],
    ],
    [
      'more bytes than the payload fill the bar, no more',
      snap({ targets: [target('t', { downloaded: 8 * MiB })] }),
      [
        expect.any(String) as unknown as string,
        '  [####################] 100%        0 B/s  0 peers  t  downloading',
      ],
    ],
  ])('%s', (_why, s, expected) => {
    expect(renderLive(s, 1000)).toEqual(expected)
  })
})

describe('renderPlain', () => {
  test.each<[string, ProgressSnapshot, string]>([
    [
      'transferring',
      snap(),
      '[1:05] transferring, 1/2 targets complete, slowest 1.0 MiB of 4.0 MiB, 2.0 MiB/s total',
    ],
    [
      'hashing',
      snap({ phase: 'hashing', hashedBytes: 3 * MiB, elapsedMs: 1_000, targets: [target('a'), target('b')] }),
      '[0:01] hashing, hashed 75%, 0/2 targets complete, slowest 0 B of 4.0 MiB, 2.0 MiB/s total',
    ],
    [
      'transferring while the source still hashes',
      snap({ hashedBytes: 2 * MiB }),
      '[1:05] transferring, hashed 50%, 1/2 targets complete, slowest 1.0 MiB of 4.0 MiB, 2.0 MiB/s total',
    ],
    [
      'failures are counted',
      snap({
        targets: [
          target('a', { state: 'failed', downloaded: 10 }),
          target('b', { state: 'complete', downloaded: 4 * MiB }),
          target('c', { state: 'failed', downloaded: 0 }),
        ],
      }),
      '[1:05] transferring, 1/3 targets complete, 2 failed, 2.0 MiB/s total',
    ],
    [
      'the slowest is of the targets still running, not one that failed behind them',
      snap({
        targets: [
          target('a', { state: 'failed', downloaded: MiB / 2 }),
          target('b', { downloaded: 3 * MiB }),
          target('c', { state: 'starting' }),
        ],
      }),
      '[1:05] transferring, 0/3 targets complete, 1 failed, slowest 0 B of 4.0 MiB, 2.0 MiB/s total',
    ],
    [
      'one failed, the others still downloading',
      snap({
        targets: [
          target('a', { state: 'failed', downloaded: MiB / 2 }),
          target('b', { downloaded: 3 * MiB }),
        ],
      }),
      '[1:05] transferring, 0/2 targets complete, 1 failed, slowest 3.0 MiB of 4.0 MiB, 2.0 MiB/s total',
    ],
    ['no targets', snap({ targets: [], rate: 0 }), '[1:05] transferring, 0/0 targets complete, 0 B/s total'],
    [
      'done',
      snap({
        phase: 'done',
        elapsedMs: 3_723_000,
        targets: [target('a', { state: 'done', downloaded: 4 * MiB })],
        rate: 0,
      }),
      '[1:02:03] done, 1/1 targets complete, 0 B/s total',
    ],
  ])('%s', (_why, s, expected) => {
    const line = renderPlain(s)
    expect(line).toBe(expected)
    expect(line).not.toContain('\n')
  })
})
