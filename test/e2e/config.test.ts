import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import { beforeAll, describe, expect, test } from 'vitest'
import { tmpDir } from '../helpers/tmp-tree.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const CLI = join(ROOT, 'dist/fanout.mjs')

/**
 * Runs the built CLI with only the environment given (and PATH), so the user's own config file
 * and FANOUT_* variables cannot change what these tests see. HOME points into the test's directory.
 */
async function fanout(args: readonly string[], env: Record<string, string>, cwd: string) {
  const result = await execa(process.execPath, [CLI, ...args], {
    reject: false,
    timeout: 20_000,
    cwd,
    extendEnv: false,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd, ...env },
    stdin: 'ignore',
  })
  expect(result.timedOut, 'the CLI did not finish in 20 s').toBe(false)
  return result
}

/** A directory with a config file in it; returns both. */
async function withConfig(text: string): Promise<{ dir: string; conf: string }> {
  const dir = await tmpDir()
  const conf = join(dir, 'fanout.conf')
  await writeFile(conf, text)
  return { dir, conf }
}

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` before the e2e tests`)
})

describe('fanout config files and --print-config', () => {
  test('--print-config shows each setting with its origin: default, file, env, command line', async () => {
    const { dir, conf } = await withConfig(
      '[DEFAULT]\nport = 4400\ncompress = False\nssh_config = ssh.conf\nencrypt = true\n',
    )
    // Hosts that do not exist: --print-config must not reach for them.
    const result = await fanout(
      ['--print-config', '--config', conf, '--no-encrypt', 'nohost.invalid:/x', 'nohost.invalid:/y'],
      { FANOUT_CODEC: 'zstd', FANOUT_PORT: '' },
      dir,
    )
    expect(result.stderr).toBe('')
    expect(result.exitCode).toBe(0)
    const lines = result.stdout.split('\n')
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^transfer_type = file +# default$/),
        expect.stringMatching(new RegExp(`^port = 4400 +# file ${conf}$`)),
        expect.stringMatching(new RegExp(`^compress = false +# file ${conf}$`)),
        expect.stringMatching(new RegExp(`^ssh_config = ${join(dir, 'ssh.conf')} +# file ${conf}$`)),
        expect.stringMatching(/^codec = zstd +# env FANOUT_CODEC$/),
        expect.stringMatching(/^encrypt = false +# command line$/),
      ]),
    )
    expect(lines.filter((l) => / = .*# /.test(l))).toHaveLength(24)
  })

  test('without --config, the file in $XDG_CONFIG_HOME is read', async () => {
    const dir = await tmpDir()
    await mkdir(join(dir, 'xdg', 'fanout'), { recursive: true })
    await writeFile(join(dir, 'xdg', 'fanout', 'fanout.conf'), 'transport = stream\n')
    const result = await fanout(['--print-config'], { XDG_CONFIG_HOME: join(dir, 'xdg') }, dir)
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toMatch(
      new RegExp(`^transport = stream +# file ${join(dir, 'xdg', 'fanout', 'fanout.conf')}$`, 'm'),
    )
  })

  test.each<[string, string, string[], Record<string, string>, (conf: string) => string]>([
    [
      'a malformed value in the config file',
      '[DEFAULT]\nport = 0\ncompress = yes\n',
      [],
      {},
      (conf) => `fanout: ${conf}:3: compress = yes: not a boolean (true/t/1/false/f/0)`,
    ],
    [
      'an unknown key in the config file',
      '# mine\nprot = 4400\n',
      [],
      {},
      (conf) => `fanout: ${conf}:2: prot: unknown key (known: `,
    ],
    [
      'a bad variable',
      '',
      [],
      { FANOUT_CHECKSUM: 'maybe' },
      () => 'fanout: FANOUT_CHECKSUM=maybe: not a boolean',
    ],
    [
      '--port 70000',
      '',
      ['--port', '70000'],
      {},
      () => 'fanout: --port 70000: not a port (an integer 0..65535; 0 picks a free one)',
    ],
  ])('%s: exit 2, one line on stderr, nothing on stdout', async (_why, text, args, env, message) => {
    const { dir, conf } = await withConfig(text)
    await mkdir(join(dir, 't'))
    const result = await fanout(
      ['--config', conf, ...args, join(dir, 'fanout.conf'), join(dir, 't')],
      env,
      dir,
    )
    expect(result.exitCode).toBe(2)
    expect(result.stderr.startsWith(message(conf)), result.stderr).toBe(true)
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1)
    expect(result.stdout).toBe('')
  })

  test('a missing --config file is an error, and so with --print-config', async () => {
    const dir = await tmpDir()
    const result = await fanout(['--print-config', '--config', 'nope.conf'], {}, dir)
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toBe('fanout: --config nope.conf: no such file')
    expect(result.stdout).toBe('')
  })
})
