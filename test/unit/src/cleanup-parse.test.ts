import { describe, expect, test } from 'vitest'
import { FanoutError } from '../../../shared/errors.js'
import { cleanupLines } from '../../../src/cli/run-cleanup.js'
import { parseCleanupTargets } from '../../../src/core/cleanup-targets.js'
import { parseAgentList } from '../../../src/run/cleanup-agents.js'

describe('parseCleanupTargets', () => {
  test.each<[string, string[], { host: string; remote: string | null; dirs: string[] }[]]>([
    ['a bare host names no directory', ['h1'], [{ host: 'h1', remote: 'h1', dirs: [] }]],
    ['HOST:/dir names one', ['h1:/srv/'], [{ host: 'h1', remote: 'h1', dirs: ['/srv'] }]],
    [
      'operands for one host are merged, in order',
      ['h1:/srv', 'h2', 'h1', 'h1:/data', 'h1:/srv'],
      [
        { host: 'h1', remote: 'h1', dirs: ['/srv', '/data'] },
        { host: 'h2', remote: 'h2', dirs: [] },
      ],
    ],
    [
      'users make different logins',
      ['root@h1', 'h1:/srv'],
      [
        { host: 'root@h1', remote: 'h1', dirs: [] },
        { host: 'h1', remote: 'h1', dirs: ['/srv'] },
      ],
    ],
    ['localhost is this machine', ['localhost'], [{ host: 'localhost', remote: null, dirs: [] }]],
    [
      'a local path is this machine too',
      ['/srv', 'localhost:/data', './rel'],
      [{ host: 'localhost', remote: null, dirs: ['/srv', '/data', '/home/me/rel'] }],
    ],
    ['a bracketed IPv6 address', ['[fd00::1]'], [{ host: 'fd00::1', remote: 'fd00::1', dirs: [] }]],
    [
      'a bracketed IPv6 address with a dir',
      ['[fd00::1]:/srv'],
      [{ host: 'fd00::1', remote: 'fd00::1', dirs: ['/srv'] }],
    ],
  ])('%s', (_why, specs, expected) => {
    const targets = parseCleanupTargets(specs, '/home/me')
    expect(targets.map((t) => ({ host: t.host, remote: t.endpoint.host, dirs: t.dirs }))).toEqual(expected)
  })

  test.each<[string, string[]]>([
    ['no operand', []],
    ['a relative remote path', ['h1:srv']],
    ['an empty host', [':/srv']],
  ])('refuses %s', (_why, specs) => {
    expect(() => parseCleanupTargets(specs, '/home/me')).toThrow(FanoutError)
  })
})

describe('parseAgentList', () => {
  test.each<[string, string, ReturnType<typeof parseAgentList>]>([
    ['nothing found', '', []],
    [
      'an agent of this host and one of another namespace',
      [
        '1234\t1\tnode\t/tmp/fanout-agent.AbCd1234/agent.mjs\t--remove-own-dir\t',
        '99\t0\t/usr/bin/node\t/var/tmp/x y/fanout-agent.ZZZZZZZZ/agent.mjs\t',
        '77\t1\tnode\t--max-semi-space-size=4\t/tmp/fanout-agent.Opts1234/agent.mjs\t--remove-own-dir\t',
      ].join('\n'),
      [
        {
          pid: 1234,
          ours: true,
          dir: '/tmp/fanout-agent.AbCd1234',
          cmdline: 'node /tmp/fanout-agent.AbCd1234/agent.mjs --remove-own-dir',
        },
        {
          pid: 99,
          ours: false,
          dir: '/var/tmp/x y/fanout-agent.ZZZZZZZZ',
          cmdline: '/usr/bin/node /var/tmp/x y/fanout-agent.ZZZZZZZZ/agent.mjs',
        },
        {
          pid: 77,
          ours: true,
          dir: '/tmp/fanout-agent.Opts1234',
          cmdline: 'node --max-semi-space-size=4 /tmp/fanout-agent.Opts1234/agent.mjs --remove-own-dir',
        },
      ],
    ],
    [
      'lines that only mention an agent path',
      [
        '5\t1\tless\t/tmp/fanout-agent.AbCd1234/agent.mjs.bak\t',
        '6\t1\tvi\t/tmp/fanout-agent.short/agent.mjs\t',
      ].join('\n'),
      [],
    ],
  ])('%s', (_why, text, agents) => {
    expect(parseAgentList(text)).toEqual(agents)
  })
})

describe('cleanupLines', () => {
  test('one line per thing removed, "nothing to clean" for a clean host, nothing for a failed one', () => {
    expect(
      cleanupLines([
        {
          host: 'h1',
          removed: ['killed agent pid 1 (node a)', 'removed nft table inet fanout_0123456789ab'],
          errors: [],
        },
        { host: 'h2', removed: [], errors: [] },
        { host: 'h3', removed: [], errors: ['unreachable'] },
      ]),
    ).toEqual([
      'h1: killed agent pid 1 (node a)',
      'h1: removed nft table inet fanout_0123456789ab',
      'h2: nothing to clean',
    ])
  })
})
