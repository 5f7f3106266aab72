import { describe, expect, test } from 'vitest'
import { combineTargets, parseTargetsFile } from '../../../src/core/targets-file.js'
import { usageMessage } from '../../helpers/usage-message.js'

const CWD = '/home/me'

function specs(text: string): [string, number][] {
  return parseTargetsFile(text, 'targets.txt', CWD).map((t) => [t.endpoint.spec, t.line])
}

describe('parseTargetsFile', () => {
  test('reads one target a line, skipping comments, blank lines and site lines', () => {
    const text = [
      '# web fleet',
      'db1 east          # the source: a site line, not a target',
      '',
      'web1:/srv/releases',
      '  ops@web2:/srv/releases\twest  # trailing comment',
      '[fe80::7]:/srv west',
      '[fe80::8] west',
      'fe80::9 west',
      '/tmp/local-copy',
      'rel/dir east\r',
    ].join('\n')
    expect(specs(text)).toEqual([
      ['web1:/srv/releases', 4],
      ['ops@web2:/srv/releases', 5],
      ['[fe80::7]:/srv', 6],
      ['/tmp/local-copy', 9],
      ['rel/dir', 10],
    ])
  })

  test('a word alone is a local directory, as on the command line', () => {
    const [target] = parseTargetsFile('copies\n', 'targets.txt', CWD)
    expect(target?.endpoint).toEqual({ spec: 'copies', host: null, path: '/home/me/copies' })
  })

  test.each([
    [
      'three columns',
      'web1:/srv\ndb7 /srv x y\n',
      'targets.txt:2: expected "[user@]host:/dir [SITE]", found "db7 /srv x y"',
    ],
    [
      'a path as the SITE (a missing colon)',
      'db7 /srv\n',
      'targets.txt:1: expected "[user@]host:/dir [SITE]", found "db7 /srv"',
    ],
    [
      'a relative remote path',
      '\n\nweb1:srv east\n',
      'targets.txt:3: remote paths must be absolute: "web1:srv"',
    ],
    ['no host', 'web1:/srv\n:/srv\n', 'targets.txt:2: no host name in ":/srv"'],
    ['an unbalanced bracket', '[fe80::1:/srv\n', 'targets.txt:1: unbalanced [ in "[fe80::1:/srv"'],
    [
      'no target at all',
      '# nothing yet\n\ndb1 east\n',
      'targets.txt: no targets in the file (one [user@]host:/dir per line)',
    ],
    ['an empty file', '', 'targets.txt: no targets in the file (one [user@]host:/dir per line)'],
  ])('rejects %s with one line naming the file', (_why, text, message) => {
    const got = usageMessage(() => parseTargetsFile(text, 'targets.txt', CWD))
    expect(got).toBe(message)
    expect(got).not.toContain('\n')
  })
})

describe('combineTargets', () => {
  function combine(commandLine: string[], text: string): string[] {
    return combineTargets(commandLine, parseTargetsFile(text, 't.txt', CWD), 't.txt', CWD)
  }

  test('the command line comes first, then the file in its order', () => {
    expect(combine(['web9:/srv'], 'web1:/srv\nweb2:/srv\n')).toEqual(['web9:/srv', 'web1:/srv', 'web2:/srv'])
    expect(combine([], 'web1:/srv\n')).toEqual(['web1:/srv'])
  })

  test.each([
    ['twice in the file', [], 'web1:/srv\n\nweb1:/srv/\n', 't.txt:3: target web1:/srv/ is also on line 1'],
    [
      'on the command line too',
      ['web1:/srv'],
      'web2:/srv\nweb1:/srv//\n',
      't.txt:2: target web1:/srv// is also on the command line',
    ],
    ['as a local path both ways', ['/home/me/x'], 'x\n', 't.txt:1: target x is also on the command line'],
  ])('refuses a target listed %s, naming the line', (_why, commandLine, text, message) => {
    expect(usageMessage(() => combine(commandLine, text))).toBe(message)
  })

  test('the same directory on two hosts, or as two users, is two targets', () => {
    expect(combine(['web1:/srv'], 'web2:/srv\nops@web1:/srv\n')).toHaveLength(3)
  })
})
