import { describe, expect, test } from 'vitest'
import { FanoutError } from '../../../shared/errors.js'
import { type Config, DEFAULTS, type TransferType } from '../../../src/config/defaults.js'
import { type ConfigFlags, resolveConfig, seconds } from '../../../src/config/resolve.js'

describe('resolveConfig', () => {
  test.each<[string, ConfigFlags, NodeJS.ProcessEnv, Partial<Config>]>([
    ['nothing given: the defaults', {}, {}, {}],
    ['unrelated environment is ignored', {}, { HOME: '/root', FANOUT_TYPE: 'stream', JSON: '1' }, {}],
    ['env: ssh config', {}, { FANOUT_SSH_CONFIG: '/etc/fanout/ssh' }, { sshConfigPath: '/etc/fanout/ssh' }],
    ['env: agent socket', {}, { SSH_AUTH_SOCK: '/run/agent.sock' }, { sshAgentSocket: '/run/agent.sock' }],
    ['env: stall timeout in seconds', {}, { FANOUT_STALL_TIMEOUT: '12.5' }, { stallTimeoutMs: 12_500 }],
    ['flag over default', { connectTimeoutMs: 3000 }, {}, { connectTimeoutMs: 3000 }],
    [
      'flag over env',
      { sshConfigPath: '/flag', stallTimeoutMs: 1000 },
      { FANOUT_SSH_CONFIG: '/env', FANOUT_STALL_TIMEOUT: '60' },
      { sshConfigPath: '/flag', stallTimeoutMs: 1000 },
    ],
    [
      'an undefined flag lets env show through',
      { sshConfigPath: undefined, stallTimeoutMs: undefined },
      { FANOUT_SSH_CONFIG: '/env', FANOUT_STALL_TIMEOUT: '60' },
      { sshConfigPath: '/env', stallTimeoutMs: 60_000 },
    ],
    ['an undefined flag lets the default show through', { connectTimeoutMs: undefined }, {}, {}],
    [
      'false flags are values, not absence',
      { json: false, verbose: false },
      {},
      { json: false, verbose: false },
    ],
    [
      'every flag',
      { json: true, verbose: true, progress: 'never', type: 'file', connectTimeoutMs: 1 },
      {},
      { json: true, verbose: true, progress: 'never', type: 'file', connectTimeoutMs: 1 },
    ],
  ])('%s', (_why, flags, env, expected) => {
    expect(resolveConfig(flags, env)).toEqual({ ...DEFAULTS, ...expected })
  })

  test.each<[string, ConfigFlags, NodeJS.ProcessEnv, RegExp]>([
    [
      'an unknown type',
      { type: 'foo' as TransferType },
      {},
      /--type foo is not supported yet \(supported: file\)/,
    ],
    ['a type not shipped yet', { type: 'xtrabackup' as TransferType }, {}, /--type xtrabackup/],
    [
      'a bad stall timeout in env',
      {},
      { FANOUT_STALL_TIMEOUT: 'soon' },
      /not a positive number of seconds: soon/,
    ],
    ['a zero stall timeout in env', {}, { FANOUT_STALL_TIMEOUT: '0' }, /positive number/],
    ['a negative stall timeout in env', {}, { FANOUT_STALL_TIMEOUT: '-5' }, /positive number/],
  ])('rejects %s with USAGE', (_why, flags, env, message) => {
    let error: unknown
    try {
      resolveConfig(flags, env)
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(FanoutError)
    expect(error).toMatchObject({ code: 'USAGE', message: expect.stringMatching(message) })
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

describe('seconds', () => {
  test.each([
    ['1', 1000],
    ['300', 300_000],
    ['0.5', 500],
    ['1.25', 1250],
    [' 7 ', 7000],
    ['1e2', 100_000],
  ])('%j → %i ms', (text, ms) => {
    expect(seconds(text)).toBe(ms)
  })

  test.each(['', ' ', '0', '-1', '-0.5', 'abc', '5s', 'NaN', 'Infinity', '-Infinity', '1,5'])(
    '%j is a USAGE error',
    (text) => {
      expect(() => seconds(text)).toThrowError(FanoutError)
      expect(() => seconds(text)).toThrowError(`not a positive number of seconds: ${text}`)
    },
  )
})
