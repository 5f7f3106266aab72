import { describe, expect, test } from 'vitest'
import {
  emptyCounters,
  snapshotOf,
  type TargetProgress,
  type TargetState,
} from '../../../src/core/progress.js'

function target(state: TargetState, downloaded: number, downloadRate: number, name = 't'): TargetProgress {
  return { ...emptyCounters(), target: name, state, downloaded, downloadRate, uploadRate: 7, peers: 2 }
}

function snapshot(targets: TargetProgress[], totalBytes = 1000) {
  return snapshotOf({
    phase: 'transferring',
    totalBytes,
    hashedBytes: totalBytes,
    startedAt: 10_000,
    now: 12_500,
    targets,
  })
}

describe('snapshotOf', () => {
  test.each<[string, TargetProgress[], number, number | null]>([
    ['no targets', [], 0, null],
    ['one downloading target', [target('downloading', 400, 100)], 100, 6],
    ['remaining time is rounded up', [target('downloading', 0, 300)], 300, 4],
    ['ETA is the slowest target', [target('downloading', 900, 10), target('downloading', 0, 500)], 510, 10],
    [
      'a slow target that is nearly done is not the slowest',
      [target('downloading', 999, 1), target('downloading', 0, 100)],
      101,
      10,
    ],
    [
      'a stalled downloading target makes the ETA unknown',
      [target('downloading', 0, 100), target('downloading', 10, 0)],
      100,
      null,
    ],
    [
      'a stalled target with everything is not stalled',
      [target('downloading', 1000, 0), target('downloading', 500, 50)],
      50,
      10,
    ],
    ['only one target, fully downloaded', [target('downloading', 1000, 0)], 0, 0],
    ['over-counted bytes never give a negative ETA', [target('downloading', 1500, 10)], 10, 0],
    [
      'rates of finished targets are not counted',
      [target('done', 1000, 900), target('downloading', 500, 100)],
      100,
      5,
    ],
    [
      'rates of complete (seeding) targets are not counted',
      [target('complete', 1000, 50), target('downloading', 0, 100)],
      100,
      10,
    ],
    [
      'rates of failed targets are not counted',
      [target('failed', 100, 999), target('downloading', 0, 100)],
      100,
      10,
    ],
    [
      'a starting target with rate 0 does not hide the ETA',
      [target('starting', 0, 0), target('downloading', 0, 100)],
      100,
      10,
    ],
    ['no target downloading: no ETA', [target('checking', 0, 0), target('done', 1000, 0)], 0, null],
    ['aborted targets are ignored', [target('aborted', 0, 0)], 0, null],
  ])('%s', (_why, targets, rate, eta) => {
    const result = snapshot(targets)
    expect(result.rate).toBe(rate)
    expect(result.etaSeconds).toBe(eta)
  })

  test('copies the view, computes elapsed time from the clock passed in', () => {
    const targets = [target('downloading', 1, 1, 'h1:/srv'), target('failed', 0, 0, 'h2:/srv')]
    const result = snapshotOf({
      phase: 'hashing',
      totalBytes: 5000,
      hashedBytes: 1234,
      startedAt: 1_000,
      now: 4_250,
      targets,
    })
    expect(result).toMatchObject({ phase: 'hashing', totalBytes: 5000, hashedBytes: 1234, elapsedMs: 3250 })
    expect(result.targets).toEqual(targets)
    // A snapshot is a plain value: later changes to the runner's state must not show through.
    expect(result.targets[0]).not.toBe(targets[0])
    ;(targets[0] as TargetProgress).downloaded = 999
    expect(result.targets[0]?.downloaded).toBe(1)
  })

  test('emptyCounters starts at zero', () => {
    expect(emptyCounters()).toEqual({ downloaded: 0, uploaded: 0, downloadRate: 0, uploadRate: 0, peers: 0 })
    expect(emptyCounters()).not.toBe(emptyCounters())
  })
})
