import { describe, expect, test } from 'vitest'
import { inferSites, needsSiteProbe } from '../../../src/core/infer-sites.js'
import { planTransfer } from '../../../src/core/plan.js'
import { reportSites } from '../../../src/core/sites.js'

describe('inferSites', () => {
  test.each<[string, (number | null)[], string[], number[]]>([
    ['one datacenter', [0.1, 0.2, 0.15], ['dc1'], [0, 0, 0]],
    ['two: near the source and one far site', [0.1, 44, 0.3, 43.2, 45.9], ['dc1', 'dc2'], [0, 1, 0, 1, 1]],
    ['LAN jitter under load stays one site', [0.08, 1.9, 2.6], ['dc1'], [0, 0, 0]],
    ['three, grouped by distance', [0.1, 20, 21, 80, 85], ['dc1', 'dc2', 'dc3'], [0, 1, 1, 2, 2]],
    ['every target far: the source is alone in its site', [40, 41, 42], ['dc1', 'dc2'], [1, 1, 1]],
    ['an unmeasured target counts with the source', [0.1, null, 44], ['dc1', 'dc2'], [0, 0, 1]],
    ['nothing measured: one site', [null, null], ['dc1'], [0, 0]],
    ['equal times are one site', [30, 30], ['dc1', 'dc2'], [1, 1]],
  ])('%s', (_why, rttMs, labels, targets) => {
    expect(inferSites(rttMs)).toEqual({ from: 'inferred', labels, targets, rttMs })
  })

  test('a group does not creep: each far site is compared with its nearest member', () => {
    // 40 -> 55 -> 70 -> 90: each step is small, but 70 is beyond 1.5 x 40 + 3, so it starts a site.
    expect(inferSites([40, 55, 70, 90]).targets).toEqual([1, 1, 2, 2])
  })
})

describe('needsSiteProbe', () => {
  const plan = (source: string, targets: string[]) =>
    planTransfer({ source, targets, cwd: '/home/me', transferId: 'id' })

  test.each<[string, string, string[], boolean]>([
    ['several remote targets', 'h0:/d', ['h1:/t', 'h2:/t'], true],
    ['a local source, remote targets', '/d', ['h1:/t', 'h2:/t'], true],
    ['one target', 'h0:/d', ['h1:/t'], false],
    ['every endpoint local', '/d', ['/t1', 'localhost:/t2'], false],
  ])('%s: %s', (_why, source, targets, expected) => {
    expect(needsSiteProbe(plan(source, targets))).toBe(expected)
  })
})

describe('reportSites', () => {
  test('names each site with its targets as written, and their round-trip times', () => {
    const layout = inferSites([0.1, 44, null])
    expect(reportSites(layout, ['h1:/srv', 'h2:/srv', 'h3:/srv'])).toEqual({
      from: 'inferred',
      groups: [
        { label: 'dc1', source: true, targets: ['h1:/srv', 'h3:/srv'], rttMs: [0.1, null] },
        { label: 'dc2', source: false, targets: ['h2:/srv'], rttMs: [44] },
      ],
    })
  })

  test('a topology layout keeps its file and has no times', () => {
    const layout = { from: 'topology' as const, labels: ['east', 'west'], targets: [1], file: 'dcs.txt' }
    expect(reportSites(layout, ['h1:/srv'])).toEqual({
      from: 'topology',
      file: 'dcs.txt',
      groups: [
        { label: 'east', source: true, targets: [] },
        { label: 'west', source: false, targets: ['h1:/srv'] },
      ],
    })
  })
})
