import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { defaultConfigPaths, loadConfigFiles, parseConfigFile } from '../../../src/config/config-file.js'
import { loadSettings } from '../../../src/config/resolve.js'
import { tmpDir } from '../../helpers/tmp-tree.js'
import { usageMessage } from '../../helpers/usage-message.js'

const ETC = '/etc/fanout/fanout.conf'
// The machine's own system-wide file, if it has one, is read by every default load.
const etcFiles = existsSync(ETC) ? [ETC] : []

/** Writes `text` to a fresh temporary file and parses it from there, as the CLI would. */
async function configFile(text: string, name = 'fanout.conf'): Promise<string> {
  const path = join(await tmpDir('fanout-config-'), name)
  await writeFile(path, text)
  return path
}

async function parse(text: string) {
  const path = await configFile(text)
  return { path, file: loadConfigFiles(path, {})[0] }
}

describe('parseConfigFile', () => {
  test.each([
    ['true', true],
    ['True', true],
    ['TRUE', true],
    ['t', true],
    ['T', true],
    ['1', true],
    ['false', false],
    ['False', false],
    ['FALSE', false],
    ['f', false],
    ['F', false],
    ['0', false],
  ])("the boolean %j is %s, as transfer.py's to_bool has it", async (text, value) => {
    const { file } = await parse(`[DEFAULT]\ncompress = ${text}\nencrypt=${text}\n`)
    expect(file?.values).toEqual({ compress: value, encrypt: value })
  })

  test("every key, transfer.py's and fanout's, at the top level or in [DEFAULT], names in any case", async () => {
    const { path, file } = await parse(
      [
        '# fanout settings',
        'port = 4400',
        'transfer_type = file',
        '; comment',
        '',
        '[DEFAULT]',
        'Compress = False',
        'ENCRYPT = 0',
        'checksum = false   # inline comments, as ini has them',
        'parallel_checksum = True',
        'stop_slave = 1',
        'verbose = t',
        'transport = stream',
        'codec = zstd',
        'firewall = f',
        'bwlimit = 100Mbit',
        'stall_timeout = 60',
        'connect_timeout = 2.5',
        'ssh_config = /etc/ssh/fanout.conf',
        'topology = dcs.txt',
      ].join('\r\n'),
    )
    expect(file?.values).toEqual({
      port: 4400,
      type: 'file',
      compress: false,
      encrypt: false,
      checksum: false,
      parallelChecksum: true,
      stopSlave: true,
      verbose: true,
      transport: 'stream',
      codec: 'zstd',
      firewall: false,
      bwlimit: 12_500_000,
      stallTimeoutMs: 60_000,
      connectTimeoutMs: 2500,
      sshConfigPath: '/etc/ssh/fanout.conf',
      topologyPath: join(path, '..', 'dcs.txt'),
    })
    expect(file?.lines).toMatchObject({ port: 2, type: 3, compress: 7, topologyPath: 20 })
  })

  test('relative paths are taken from the file directory, whatever the working directory', async () => {
    const path = await configFile('ssh_config = ssh/config\ntopology = ../dcs.txt\n')
    const dir = join(path, '..')
    expect(parseConfigFile(path, 'ssh_config = ssh/config\ntopology = ../dcs.txt\n').values).toEqual({
      sshConfigPath: join(dir, 'ssh', 'config'),
      topologyPath: join(dir, '..', 'dcs.txt'),
    })
  })

  test('an empty file, or comments only, sets nothing', () => {
    expect(parseConfigFile('/f', '').values).toEqual({})
    expect(parseConfigFile('/f', '# nothing\n[DEFAULT]\n; still nothing\n').values).toEqual({})
  })

  test.each([
    [
      'a bad boolean',
      '[DEFAULT]\nport = 0\ncompress = yes\n',
      '/x/fanout.conf:3: compress = yes: not a boolean (true/t/1/false/f/0)',
    ],
    [
      'a bad boolean, key as written',
      'Stop_Slave = on\n',
      '/x/fanout.conf:1: Stop_Slave = on: not a boolean (true/t/1/false/f/0)',
    ],
    ['null is not a boolean', 'verbose = null\n', '/x/fanout.conf:1: verbose = null: not a boolean'],
    [
      'an unknown key',
      '[DEFAULT]\n\nconpress = true\n',
      '/x/fanout.conf:3: conpress: unknown key (known: transfer_type, transport, port,',
    ],
    [
      'a section other than DEFAULT',
      'port = 1\n[client]\nport = 2\n',
      '/x/fanout.conf:2: [client]: unknown section (fanout reads only [DEFAULT])',
    ],
    ['a dotted section', '[DEFAULT.more]\nport = 2\n', '/x/fanout.conf:1: [DEFAULT.more]: unknown section'],
    [
      'a port out of range',
      'port = 70000\n',
      '/x/fanout.conf:1: port = 70000: not a port (an integer 0..65535; 0 picks a free one)',
    ],
    ['a port that is not a number', 'port = auto\n', '/x/fanout.conf:1: port = auto: not a port'],
    [
      'a bad type',
      'transfer_type = tar\n',
      '/x/fanout.conf:1: transfer_type = tar: not one of file, xtrabackup, decompress',
    ],
    [
      'a bad transport',
      'transport = carrier pigeon\n',
      '/x/fanout.conf:1: transport = carrier pigeon: not one of auto, swarm, stream',
    ],
    ['a bad codec', 'codec = xz\n', '/x/fanout.conf:1: codec = xz: not one of gzip, zstd'],
    [
      'bad seconds',
      'stall_timeout = 5m\n',
      '/x/fanout.conf:1: stall_timeout = 5m: not a positive number of seconds',
    ],
    [
      'zero seconds',
      'connect_timeout = 0\n',
      '/x/fanout.conf:1: connect_timeout = 0: not a positive number of seconds',
    ],
    [
      'a bad rate',
      'bwlimit = fast\n',
      '/x/fanout.conf:1: bwlimit = fast: not a rate (examples: 100Mbit, 12M, 500K)',
    ],
    ['an empty path', 'ssh_config =\n', '/x/fanout.conf:1: ssh_config = : an empty path'],
    [
      'a key without a value',
      'compress\n',
      '/x/fanout.conf:1: compress: not a single value (write compress = VALUE)',
    ],
    ['a list', 'port[] = 1\n', '/x/fanout.conf:1: port: not a single value (write port = VALUE)'],
    ['a list of two', 'port[] = 1\nport[] = 2\n', '/x/fanout.conf:2: port: given twice (first on line 1)'],
    [
      'a key given twice',
      'port = 1\n[DEFAULT]\nPort = 2\n',
      '/x/fanout.conf:3: port: given twice (first on line 1)',
    ],
    ['a key not meant for files', 'json = true\n', '/x/fanout.conf:1: json: unknown key'],
  ])('rejects %s with one line naming file, line and key', (_why, text, message) => {
    const got = usageMessage(() => parseConfigFile('/x/fanout.conf', text))
    expect(got.startsWith(message), got).toBe(true)
    expect(got).not.toContain('\n')
  })
})

describe('defaultConfigPaths', () => {
  test.each<[string, NodeJS.ProcessEnv, string[]]>([
    ['XDG_CONFIG_HOME', { XDG_CONFIG_HOME: '/xdg', HOME: '/home/me' }, [ETC, '/xdg/fanout/fanout.conf']],
    [
      'HOME/.config without XDG_CONFIG_HOME',
      { HOME: '/home/me' },
      [ETC, '/home/me/.config/fanout/fanout.conf'],
    ],
    [
      'a relative XDG_CONFIG_HOME is ignored',
      { XDG_CONFIG_HOME: 'xdg', HOME: '/h' },
      [ETC, '/h/.config/fanout/fanout.conf'],
    ],
    [
      'an empty XDG_CONFIG_HOME is ignored',
      { XDG_CONFIG_HOME: '', HOME: '/h' },
      [ETC, '/h/.config/fanout/fanout.conf'],
    ],
    ['neither: the system file only', {}, [ETC]],
  ])('%s', (_why, env, paths) => {
    expect(defaultConfigPaths(env)).toEqual(paths)
  })
})

describe('loadConfigFiles', () => {
  test('reads the user file from XDG_CONFIG_HOME', async () => {
    const xdg = await tmpDir('fanout-xdg-')
    await mkdir(join(xdg, 'fanout'))
    await writeFile(join(xdg, 'fanout', 'fanout.conf'), 'port = 9\n')
    const files = loadConfigFiles(undefined, { XDG_CONFIG_HOME: xdg })
    expect(files.map((f) => f.path)).toEqual([...etcFiles, join(xdg, 'fanout', 'fanout.conf')])
    expect(files.at(-1)?.values).toEqual({ port: 9 })
  })

  test('a missing default file is skipped', async () => {
    const home = await tmpDir('fanout-home-')
    expect(loadConfigFiles(undefined, { HOME: home }).map((f) => f.path)).toEqual(etcFiles)
  })

  test('a default file that cannot be read is an error', async () => {
    const xdg = await tmpDir('fanout-xdg-')
    await mkdir(join(xdg, 'fanout', 'fanout.conf'), { recursive: true })
    expect(usageMessage(() => loadConfigFiles(undefined, { XDG_CONFIG_HOME: xdg }))).toBe(
      `${join(xdg, 'fanout', 'fanout.conf')}: cannot read it (EISDIR)`,
    )
  })

  test('--config replaces both default files', async () => {
    const xdg = await tmpDir('fanout-xdg-')
    await mkdir(join(xdg, 'fanout'))
    await writeFile(join(xdg, 'fanout', 'fanout.conf'), 'port = 9\n')
    const path = await configFile('port = 7\n', 'mine.conf')
    const files = loadConfigFiles(path, { XDG_CONFIG_HOME: xdg })
    expect(files).toEqual([{ path, values: { port: 7 }, lines: { port: 1 } }])
  })

  test('a missing --config file is an error', async () => {
    const missing = join(await tmpDir(), 'nope.conf')
    expect(usageMessage(() => loadConfigFiles(missing, {}))).toBe(`--config ${missing}: no such file`)
  })

  test('a --config directory is an error', async () => {
    const dir = await tmpDir()
    expect(usageMessage(() => loadConfigFiles(dir, {}))).toBe(`--config ${dir}: cannot read it (EISDIR)`)
  })
})

describe('loadSettings', () => {
  test('--config, then the environment, then flags, from real files', async () => {
    const path = await configFile('[DEFAULT]\nport = 7\ncompress = 0\nssh_config = ssh.conf\nverbose = 1\n')
    const settings = loadSettings(
      { flags: { verbose: false }, configPath: path },
      { FANOUT_COMPRESS: 'true', HOME: '/nonexistent' },
    )
    expect(settings.config).toMatchObject({
      port: 7,
      compress: true,
      verbose: false,
      sshConfigPath: join(path, '..', 'ssh.conf'),
    })
    expect(settings.origins).toMatchObject({
      port: `file ${path}`,
      compress: 'env FANOUT_COMPRESS',
      verbose: 'command line',
      sshConfigPath: `file ${path}`,
    })
  })

  test('a bad value in the environment names the variable', async () => {
    const path = await configFile('port = 7\n')
    expect(usageMessage(() => loadSettings({ flags: {}, configPath: path }, { FANOUT_PORT: 'x' }))).toBe(
      'FANOUT_PORT=x: not a port (an integer 0..65535; 0 picks a free one)',
    )
  })
})
