import { describe, expect, test } from 'vitest'
import { planTransfer } from '../../../src/core/plan.js'
import { layoutFromTopology, parseTopology } from '../../../src/core/topology.js'
import { usageMessage } from '../../helpers/usage-message.js'

function plan(source: string, targets: string[]) {
  return planTransfer({ source, targets, cwd: '/home/me', transferId: 'id' })
}

describe('parseTopology', () => {
  test('reads HOST LABEL lines, skipping comments and blank lines', () => {
    const text =
      '# dc map\n\nh0 east\n  h1\teast  # trailing comment\r\nroot@h2 west\n[fe80::1] west\nh0 east\n'
    const topology = parseTopology(text, 'dcs.txt')
    expect(topology.file).toBe('dcs.txt')
    expect(Object.fromEntries(topology.hosts)).toEqual({
      h0: { label: 'east', line: 3 },
      h1: { label: 'east', line: 4 },
      'root@h2': { label: 'west', line: 5 },
      'fe80::1': { label: 'west', line: 6 },
    })
  })

  test('takes the host of [user@]host:/dir and local paths, so a --targets file serves too', () => {
    const text = [
      'db1 east',
      'web1:/srv/releases east',
      'ops@web2:/srv west',
      '[fe80::7]:/srv west',
      '/tmp/copy east',
      'localhost:rel east',
      'web1:/srv/other east',
    ].join('\n')
    expect(Object.fromEntries(parseTopology(text, 'targets.txt').hosts)).toEqual({
      db1: { label: 'east', line: 1 },
      web1: { label: 'east', line: 2 },
      'ops@web2': { label: 'west', line: 3 },
      'fe80::7': { label: 'west', line: 4 },
      localhost: { label: 'east', line: 5 },
    })
  })

  test.each([
    ['a host without a label', 'h0 east\nh1\n', 'dcs.txt:2: expected "HOST LABEL", found "h1"'],
    ['three fields', 'h0 east west\n', 'dcs.txt:1: expected "HOST LABEL", found "h0 east west"'],
    [
      'a host with two labels',
      'h0 east\n\nh0 west\n',
      'dcs.txt:3: h0 is labelled west here but east on line 1',
    ],
    [
      'an endpoint whose host has another label',
      'h0:/srv east\nh0:/tmp west\n',
      'dcs.txt:2: h0:/tmp (host h0) is labelled west here but east on line 1',
    ],
    [
      'two local paths with two labels',
      '/a east\n/b west\n',
      'dcs.txt:2: /b (host localhost) is labelled west here but east on line 1',
    ],
    [
      'a relative remote path',
      'h0 east\nh1:srv east\n',
      'dcs.txt:2: remote paths must be absolute: "h1:srv"',
    ],
  ])('rejects %s with one line naming file and line', (_why, text, message) => {
    const got = usageMessage(() => parseTopology(text, 'dcs.txt'))
    expect(got).toBe(message)
    expect(got).not.toContain('\n')
  })
})

describe('layoutFromTopology', () => {
  const topology = parseTopology(
    [
      'h0 east',
      'h1 east',
      'h2 west',
      'h3 north',
      'ops@h4 west',
      'h4 east',
      'localhost west',
      'fe80::1 north',
    ].join('\n'),
    'dcs.txt',
  )

  test.each<[string, string, string[], string[], number[]]>([
    [
      'the source label is site 0, others in order of first use',
      'h0:/d',
      ['h3:/t', 'h1:/t', 'h2:/t', 'h3:/u'],
      ['east', 'north', 'west'],
      [1, 0, 2, 1],
    ],
    ['the source may be alone in its site', 'h2:/d', ['h0:/t', 'h1:/t'], ['west', 'east'], [1, 1]],
    ['user@host matches its own line first', 'h0:/d', ['ops@h4:/t', 'h4:/t'], ['east', 'west'], [1, 0]],
    ['user@host falls back to the host line', 'h0:/d', ['other@h2:/t'], ['east', 'west'], [1]],
    [
      'local paths and localhost: are localhost',
      '/data',
      ['localhost:/t', 'h0:/t'],
      ['west', 'east'],
      [0, 1],
    ],
    ['a bracketed IPv6 address', 'h0:/d', ['[fe80::1]:/t'], ['east', 'north'], [1]],
  ])('%s', (_why, source, targets, labels, sites) => {
    expect(layoutFromTopology(plan(source, targets), topology)).toEqual({
      from: 'topology',
      labels,
      targets: sites,
      file: 'dcs.txt',
    })
  })

  test.each([
    ['a target', 'h0:/d', ['h1:/t', 'h9:/t'], 'dcs.txt: no line for host h9 (h9:/t); every host needs one'],
    ['the source', 'h9:/d', ['h1:/t'], 'dcs.txt: no line for host h9 (h9:/d); every host needs one'],
    ['a local path', '/data', ['h0:/t'], 'dcs.txt: no line for host localhost (/data); every host needs one'],
  ])('a host missing from the file (%s) is a usage error', (_why, source, targets, message) => {
    const partial = parseTopology('h0 east\nh1 east\n', 'dcs.txt')
    expect(usageMessage(() => layoutFromTopology(plan(source, targets), partial))).toBe(message)
  })
})
