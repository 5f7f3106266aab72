import { describe, expect, test } from 'vitest'
import type { FanoutCode } from '../../../shared/errors.js'
import { EXIT, exitCodeFor } from '../../../src/cli/exit-code.js'
import type { TargetResult, TransferResult } from '../../../src/run/run-transfer.js'

function target(status: TargetResult['status'], code?: FanoutCode): TargetResult {
  return {
    target: 'h1:/srv',
    status,
    bytes: 0,
    seconds: 0,
    ...(code === undefined ? {} : { error: { code, message: 'x' } }),
  }
}

function result(outcome: TransferResult['outcome'], targets: TargetResult[]): TransferResult {
  return {
    outcome,
    transferId: 'id',
    transport: 'swarm',
    source: 's',
    bytes: 0,
    seconds: 0,
    targets,
    problems: [],
    leftovers: [],
    warnings: [],
    usage: [],
    sites: { from: 'single', groups: [{ label: 'dc1', source: true, targets: ['h1:/srv'] }] },
  }
}

describe('exitCodeFor', () => {
  test.each<[string, TransferResult, number]>([
    ['every target ok', result('ok', [target('ok'), target('ok')]), 0],
    ['a preflight problem', result('preflight-failed', [target('not-started')]), 255],
    ['interrupted', result('aborted', [target('aborted', 'ABORTED')]), 130],
    ['a failed target', result('failed', [target('ok'), target('failed', 'STALLED')]), 1],
    ['a failed target without an error', result('failed', [target('failed')]), 1],
    ['a verification failure', result('failed', [target('failed', 'VERIFY_FAILED')]), 3],
    [
      'a verification failure among other failures',
      result('failed', [target('failed', 'AGENT_FAILED'), target('failed', 'VERIFY_FAILED')]),
      3,
    ],
    ['a source change fails, not verify', result('failed', [target('failed', 'SOURCE_CHANGED')]), 1],
    ['an abort wins over a verify failure', result('aborted', [target('failed', 'VERIFY_FAILED')]), 130],
  ])('%s → %i', (_why, input, expected) => {
    expect(exitCodeFor(input)).toBe(expected)
  })

  test('the documented statuses', () => {
    expect(EXIT).toEqual({ ok: 0, failed: 1, usage: 2, verify: 3, interrupted: 130, preflight: 255 })
  })
})
