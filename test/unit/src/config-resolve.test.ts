import { describe, expect, test } from 'vitest'
import type { ConfigFile } from '../../../src/config/config-file.js'
import { type Config, DEFAULTS, type TransferType, type Transport } from '../../../src/config/defaults.js'
import { type ConfigFlags, resolveConfig, resolveSettings } from '../../../src/config/resolve.js'
import { SECONDS } from '../../../src/config/values.js'
import { usageMessage } from '../../helpers/usage-message.js'

/** A config file as parseConfigFile gives it, without the file. */
function file(path: string, values: ConfigFlags, lines: ConfigFile['lines'] = {}): ConfigFile {
  return { path, values, lines }
}

describe('resolveConfig', () => {
  test.each<[string, ConfigFlags, NodeJS.ProcessEnv, Partial<Config>]>([
    ['nothing given: the defaults', {}, {}, {}],
    ['unrelated environment is ignored', {}, { HOME: '/root', FANOUT_TYPE: 'stream', JSON: '1' }, {}],
    ['env: ssh config', {}, { FANOUT_SSH_CONFIG: '/etc/fanout/ssh' }, { sshConfigPath: '/etc/fanout/ssh' }],
    ['env: agent socket', {}, { SSH_AUTH_SOCK: '/run/agent.sock' }, { sshAgentSocket: '/run/agent.sock' }],
    ['env: stall timeout in seconds', {}, { FANOUT_STALL_TIMEOUT: '12.5' }, { stallTimeoutMs: 12_500 }],
    ['env: agent idle timeout', {}, { FANOUT_AGENT_IDLE_TIMEOUT: '5' }, { agentIdleTimeoutMs: 5000 }],
    ['env: an empty variable is unset', {}, { FANOUT_SSH_CONFIG: '', FANOUT_PORT: '' }, {}],
    [
      "env: transfer.py's keys",
      {},
      {
        FANOUT_PORT: '4400',
        FANOUT_TRANSFER_TYPE: 'file',
        FANOUT_COMPRESS: 'F',
        FANOUT_ENCRYPT: '0',
        FANOUT_CHECKSUM: 'FALSE',
        FANOUT_PARALLEL_CHECKSUM: 't',
        FANOUT_STOP_SLAVE: 'True',
        FANOUT_VERBOSE: '1',
      },
      {
        port: 4400,
        compress: false,
        encrypt: false,
        checksum: false,
        parallelChecksum: true,
        stopSlave: true,
        verbose: true,
      },
    ],
    [
      "env: fanout's own keys",
      {},
      {
        FANOUT_TRANSPORT: 'stream',
        FANOUT_CODEC: 'zstd',
        FANOUT_FIREWALL: 'false',
        FANOUT_BWLIMIT: '100Mbit',
        FANOUT_CONNECT_TIMEOUT: '3',
        FANOUT_TOPOLOGY: 'dcs.txt',
      },
      {
        transport: 'stream',
        codec: 'zstd',
        firewall: false,
        bwlimit: 12_500_000,
        connectTimeoutMs: 3000,
        topologyPath: 'dcs.txt',
      },
    ],
    ['flag over default', { connectTimeoutMs: 3000 }, {}, { connectTimeoutMs: 3000 }],
    [
      'flag over env',
      { sshConfigPath: '/flag', stallTimeoutMs: 1000, port: 5 },
      { FANOUT_SSH_CONFIG: '/env', FANOUT_STALL_TIMEOUT: '60', FANOUT_PORT: '6' },
      { sshConfigPath: '/flag', stallTimeoutMs: 1000, port: 5 },
    ],
    [
      'an undefined flag lets env show through',
      { sshConfigPath: undefined, stallTimeoutMs: undefined, compress: undefined },
      { FANOUT_SSH_CONFIG: '/env', FANOUT_STALL_TIMEOUT: '60', FANOUT_COMPRESS: '0' },
      { sshConfigPath: '/env', stallTimeoutMs: 60_000, compress: false },
    ],
    ['an undefined flag lets the default show through', { connectTimeoutMs: undefined }, {}, {}],
    [
      'false flags are values, not absence',
      { json: false, verbose: false, encrypt: false },
      { FANOUT_VERBOSE: '1' },
      { json: false, verbose: false, encrypt: false },
    ],
    [
      'every flag',
      { json: true, verbose: true, progress: 'never', type: 'file', connectTimeoutMs: 1, port: 65_535 },
      {},
      { json: true, verbose: true, progress: 'never', type: 'file', connectTimeoutMs: 1, port: 65_535 },
    ],
  ])('%s', (_why, flags, env, expected) => {
    expect(resolveConfig(flags, env)).toEqual({ ...DEFAULTS, ...expected })
  })

  test.each<[string, ConfigFlags, NodeJS.ProcessEnv, string]>([
    [
      'an unknown type',
      { type: 'foo' as TransferType },
      {},
      '--type foo: not one of file, xtrabackup, decompress',
    ],
    [
      'a port above 65535',
      { port: 70_000 },
      {},
      '--port 70000: not a port (an integer 0..65535; 0 picks a free one)',
    ],
    ['a negative port', { port: -1 }, {}, '--port -1: not a port'],
    ['a fractional port', { port: 1.5 }, {}, '--port 1.5: not a port'],
    [
      'an unknown transport',
      { transport: 'pigeon' as Transport },
      {},
      '--transport pigeon: not one of auto, swarm, stream',
    ],
    ['a bad port in env', {}, { FANOUT_PORT: '70000' }, 'FANOUT_PORT=70000: not a port'],
    [
      'a bad boolean in env',
      {},
      { FANOUT_COMPRESS: 'yes' },
      'FANOUT_COMPRESS=yes: not a boolean (true/t/1/false/f/0)',
    ],
    ['a bad codec in env', {}, { FANOUT_CODEC: 'xz' }, 'FANOUT_CODEC=xz: not one of gzip, zstd'],
    ['a bad rate in env', {}, { FANOUT_BWLIMIT: 'fast' }, 'FANOUT_BWLIMIT=fast: not a rate'],
    [
      'a bad stall timeout in env',
      {},
      { FANOUT_STALL_TIMEOUT: 'soon' },
      'FANOUT_STALL_TIMEOUT=soon: not a positive number of seconds',
    ],
    [
      'a zero stall timeout in env',
      {},
      { FANOUT_STALL_TIMEOUT: '0' },
      'FANOUT_STALL_TIMEOUT=0: not a positive',
    ],
    ['a link that is a path', { link: 'a/b' }, {}, '--link a/b: not a name inside the target directory'],
    [
      'a bad link-when in env',
      {},
      { FANOUT_LINK_WHEN: 'some' },
      'FANOUT_LINK_WHEN=some: not one of each, all',
    ],
    ['an API link-when that is not one', { linkWhen: 'some' as 'all' }, {}, '--link-when some: not one of'],
    [
      'a link to an archive that unpacks',
      { link: 'current', type: 'decompress' },
      {},
      '--link current: only for transfer_type file',
    ],
    [
      'a negative idle timeout in env',
      {},
      { FANOUT_AGENT_IDLE_TIMEOUT: '-5' },
      'FANOUT_AGENT_IDLE_TIMEOUT=-5: not a positive',
    ],
  ])('rejects %s with one USAGE line naming where it came from', (_why, flags, env, message) => {
    const got = usageMessage(() => resolveConfig(flags, env))
    expect(got.startsWith(message)).toBe(true)
    expect(got).not.toContain('\n')
  })

  test('the result is frozen and the defaults are left alone', () => {
    const config = resolveConfig({ json: true, connectTimeoutMs: 1 }, {})
    expect(Object.isFrozen(config)).toBe(true)
    expect(() => {
      ;(config as Config).json = false
    }).toThrow(TypeError)
    expect(DEFAULTS.json).toBe(false)
    expect(DEFAULTS.connectTimeoutMs).toBe(15_000)
    expect(resolveConfig({}, {})).toEqual(DEFAULTS)
  })

  test('reads process.env when no env is given', () => {
    const saved = process.env.FANOUT_SSH_CONFIG
    process.env.FANOUT_SSH_CONFIG = '/from/process/env'
    try {
      expect(resolveConfig({}).sshConfigPath).toBe('/from/process/env')
    } finally {
      if (saved === undefined) delete process.env.FANOUT_SSH_CONFIG
      else process.env.FANOUT_SSH_CONFIG = saved
    }
  })
})

describe('resolveSettings: precedence and origins', () => {
  const first = file('/etc/fanout/fanout.conf', { port: 1, compress: false, codec: 'zstd', verbose: true })
  const second = file('/home/me/.config/fanout/fanout.conf', { port: 2, compress: true })

  test('defaults < files in order < env < command line, each with its origin', () => {
    const { config, origins } = resolveSettings({
      flags: { port: 4, json: undefined },
      files: [first, second],
      env: { FANOUT_PORT: '3', FANOUT_COMPRESS: '0', FANOUT_CODEC: '' },
    })
    expect(config).toMatchObject({ port: 4, compress: false, codec: 'zstd', verbose: true, json: false })
    expect(origins).toMatchObject({
      port: 'command line',
      compress: 'env FANOUT_COMPRESS',
      codec: 'file /etc/fanout/fanout.conf',
      verbose: 'file /etc/fanout/fanout.conf',
      json: 'default',
    })
  })

  test.each<[string, ConfigFile[], NodeJS.ProcessEnv, number, string]>([
    ['the second file over the first', [first, second], {}, 2, 'file /home/me/.config/fanout/fanout.conf'],
    ['the first file alone', [first], {}, 1, 'file /etc/fanout/fanout.conf'],
    ['env over both files', [first, second], { FANOUT_PORT: '3' }, 3, 'env FANOUT_PORT'],
    ['no file, no env: the default', [], {}, 0, 'default'],
  ])('%s', (_why, files, env, port, origin) => {
    const settings = resolveSettings({ flags: {}, files, env })
    expect(settings.config.port).toBe(port)
    expect(settings.origins.port).toBe(origin)
  })

  test('the settings are frozen', () => {
    const settings = resolveSettings({ flags: {}, env: {} })
    expect(Object.isFrozen(settings.config)).toBe(true)
    expect(Object.isFrozen(settings.origins)).toBe(true)
  })
})

describe("resolveSettings: transfer.py's rules between settings", () => {
  const production = file('/etc/fanout/fanout.conf', { checksum: true, parallelChecksum: false })

  test.each<[string, ConfigFlags, ConfigFile[], Partial<Config>, string | undefined]>([
    [
      '--parallel-checksum alone turns checksum off, over the file',
      { parallelChecksum: true },
      [production],
      { checksum: false, parallelChecksum: true },
      'command line',
    ],
    [
      '--parallel-checksum with --checksum: checksum stays, parallel is ignored',
      { parallelChecksum: true, checksum: true },
      [production],
      { checksum: true, parallelChecksum: false },
      'command line',
    ],
    [
      '--parallel-checksum with --no-checksum',
      { parallelChecksum: true, checksum: false },
      [],
      { checksum: false, parallelChecksum: true },
      'command line',
    ],
    [
      '--no-parallel-checksum changes nothing else',
      { parallelChecksum: false },
      [production],
      { checksum: true, parallelChecksum: false },
      'file /etc/fanout/fanout.conf',
    ],
    [
      'parallel_checksum in a file with checksum on is ignored',
      {},
      [file('/f', { parallelChecksum: true })],
      { checksum: true, parallelChecksum: false },
      'default',
    ],
    [
      'parallel_checksum in a file with checksum off stays',
      {},
      [file('/f', { parallelChecksum: true, checksum: false })],
      { checksum: false, parallelChecksum: true },
      'file /f',
    ],
  ])('%s', (_why, flags, files, expected, checksumOrigin) => {
    const settings = resolveSettings({ flags, files, env: {} })
    expect(settings.config).toMatchObject(expected)
    expect(settings.origins.checksum).toBe(checksumOrigin)
  })

  test('the notes say why', () => {
    expect(resolveSettings({ flags: { parallelChecksum: true }, env: {} }).notes).toEqual({
      checksum: 'turned off by --parallel-checksum without --checksum',
      stopSlave: 'ignored: only used with transfer_type xtrabackup',
    })
    expect(
      resolveSettings({ flags: { parallelChecksum: true, checksum: true }, env: {} }).notes,
    ).toMatchObject({
      parallelChecksum: 'ignored (asked for, but checksum is on)',
    })
  })

  test('stop_slave keeps its value outside xtrabackup, with a note', () => {
    const settings = resolveSettings({ flags: { stopSlave: true }, env: {} })
    expect(settings.config.stopSlave).toBe(true)
    expect(settings.notes.stopSlave).toMatch(/ignored/)
  })
})

describe('SECONDS', () => {
  test.each([
    ['1', 1000],
    ['300', 300_000],
    ['0.5', 500],
    ['1.25', 1250],
    [' 7 ', 7000],
    ['1e2', 100_000],
    ['0.0001', 1],
  ])('%j → %i ms', (text, ms) => {
    expect(SECONDS.parse(text)).toBe(ms)
  })

  test.each(['', ' ', '0', '-1', '-0.5', 'abc', '5s', 'NaN', 'Infinity', '-Infinity', '1,5'])(
    '%j is refused',
    (text) => {
      expect(SECONDS.parse(text)).toBeUndefined()
    },
  )
})

describe('resolveSettings: --base needs a file copy through the swarm', () => {
  test.each<[ConfigFlags, RegExp]>([
    [{ base: 'release-1', transport: 'stream' }, /^--base release-1: needs the swarm/],
    [{ base: 'release-1', type: 'xtrabackup' }, /^--base release-1: only for transfer_type file/],
    [{ base: 'release-1', type: 'decompress', transport: 'swarm' }, /only for transfer_type file/],
  ])('%o is a usage error', (flags, message) => {
    expect(() => resolveSettings({ flags, files: [], env: {} })).toThrow(message)
  })

  test('with auto or swarm it stands', () => {
    for (const transport of ['auto', 'swarm'] as const) {
      expect(resolveSettings({ flags: { base: '/srv/r1', transport }, env: {} }).config.base).toBe('/srv/r1')
    }
  })
})
