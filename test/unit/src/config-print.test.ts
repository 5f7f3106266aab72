import { describe, expect, test } from 'vitest'
import type { CliRequest } from '../../../src/cli/program.js'
import { buildProgram } from '../../../src/cli/program.js'
import { describeConfig } from '../../../src/config/describe-config.js'
import { resolveSettings } from '../../../src/config/resolve.js'

/** Parses a command line with the real program and returns the request it makes. */
async function request(argv: readonly string[]): Promise<CliRequest> {
  let got: CliRequest | undefined
  const program = buildProgram('0.0.0', async (r) => {
    got = r
  })
  await program.parseAsync([...argv], { from: 'user' })
  if (got === undefined) throw new Error('no request')
  return got
}

describe('describeConfig (--print-config)', () => {
  test('one aligned line per setting: key = value  # origin, notes after', () => {
    const settings = resolveSettings({
      flags: { parallelChecksum: true, bwlimit: 1000 },
      files: [{ path: '/etc/fanout/fanout.conf', values: { port: 4400, stallTimeoutMs: 60_000 }, lines: {} }],
      env: { FANOUT_CODEC: 'zstd' },
    })
    expect(describeConfig(settings)).toEqual([
      'transfer_type = file       # default',
      'transport = auto           # default',
      'port = 4400                # file /etc/fanout/fanout.conf',
      'compress = true            # default',
      'codec = zstd               # env FANOUT_CODEC',
      'checksum = false           # command line; turned off by --parallel-checksum without --checksum',
      'parallel_checksum = true   # command line',
      'stop_slave = false         # default; ignored: only used with transfer_type xtrabackup',
      'prepare = false            # default',
      'ssh_config = (none)        # default',
      'connect_timeout = 15       # default',
      'stall_timeout = 60         # file /etc/fanout/fanout.conf',
      'agent_idle_timeout = 30    # default',
      'ssh_agent_socket = (none)  # default',
      'bwlimit = 1000             # command line',
      'encrypt = true             # default',
      'firewall = true            # default',
      'topology = (none)          # default',
      'base = (none)              # default',
      'link = (none)              # default',
      'link_when = each           # default',
      'verbose = false            # default',
      'json = false               # default',
      'progress = auto            # default',
    ])
  })

  test('parallel_checksum ignored under checksum says so', () => {
    const settings = resolveSettings({ flags: {}, files: [], env: { FANOUT_PARALLEL_CHECKSUM: '1' } })
    expect(describeConfig(settings)).toContain(
      'parallel_checksum = false  # env FANOUT_PARALLEL_CHECKSUM; ignored (asked for, but checksum is on)',
    )
  })
})

describe('the command line', () => {
  test('flags not given are undefined, so config files and the environment show through', async () => {
    const got = await request(['/a', '/b'])
    expect(got).toMatchObject({ action: 'transfer', source: '/a', targets: ['/b'], configPath: undefined })
    expect(Object.values(got.flags).filter((v) => v !== undefined)).toEqual([])
  })

  test.each<[string, string[], Record<string, unknown>]>([
    [
      '--x pairs on',
      ['--compress', '--encrypt', '--checksum', '--parallel-checksum', '--firewall'],
      { compress: true, encrypt: true, checksum: true, parallelChecksum: true, firewall: true },
    ],
    [
      '--no-x pairs off',
      ['--no-compress', '--no-encrypt', '--no-checksum', '--no-parallel-checksum', '--no-firewall'],
      { compress: false, encrypt: false, checksum: false, parallelChecksum: false, firewall: false },
    ],
    ['the last of a pair wins', ['--no-compress', '--compress'], { compress: true }],
    [
      "transfer.py's valued options",
      ['--port', '4400', '--type', 'xtrabackup', '--stop-slave', '--verbose'],
      { port: 4400, type: 'xtrabackup', stopSlave: true, verbose: true },
    ],
    [
      "fanout's",
      [
        '--transport',
        'swarm',
        '--codec',
        'zstd',
        '--bwlimit',
        '1M',
        '--stall-timeout',
        '2',
        '--json',
        '--no-progress',
      ],
      {
        transport: 'swarm',
        codec: 'zstd',
        bwlimit: 1_048_576,
        stallTimeoutMs: 2000,
        json: true,
        progress: 'never',
      },
    ],
  ])('%s', async (_why, args, flags) => {
    const got = await request([...args, '/a', '/b'])
    const given = Object.fromEntries(Object.entries(got.flags).filter(([, v]) => v !== undefined))
    expect(given).toEqual(flags)
  })

  test('--print-config needs no SOURCE or TARGET, and takes --config', async () => {
    expect(await request(['--print-config', '--config', 'x.conf', '--port', '1'])).toEqual({
      action: 'print-config',
      configPath: 'x.conf',
      flags: expect.objectContaining({ port: 1 }),
    })
  })

  test.each<[string[], string]>([
    [[], 'missing SOURCE and TARGET (run fanout --help for usage)'],
    [['/a'], 'missing TARGET (run fanout --help for usage)'],
    [['--port', '65536', '/a', '/b'], '--port 65536: not a port (an integer 0..65535; 0 picks a free one)'],
    [['--port', '-1', '/a', '/b'], '--port -1: not a port'],
    [['--stall-timeout', 'soon', '/a', '/b'], '--stall-timeout soon: not a positive number of seconds'],
  ])('%j is a usage error', async (argv, message) => {
    await expect(request(argv)).rejects.toMatchObject({
      code: 'USAGE',
      message: expect.stringContaining(message),
    })
  })
})
