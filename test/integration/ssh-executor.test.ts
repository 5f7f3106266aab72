import { existsSync } from 'node:fs'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { text } from 'node:stream/consumers'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest'
import { loadSshTarget } from '../../src/exec/load-ssh-target.js'
import { SshExecutor } from '../../src/exec/ssh.js'
import type { SshTarget } from '../../src/exec/ssh-target.js'
import {
  freePort,
  type Keys,
  loopbackSshdUnavailableReason,
  makeKeys,
  type Sshd,
  startSshd,
} from '../helpers/loopback-sshd.js'

const skipReason = loopbackSshdUnavailableReason()
if (skipReason !== undefined) console.warn(`skipping SshExecutor integration tests: ${skipReason}`)

const log = pino({ level: 'silent' })
const NASTY = ['a b', "it's", '"q"', '$HOME', '`id`', 'a&b', 'x;y', 'line\nbreak', 'héllo', '*', '']

const sshds: (() => Promise<void>)[] = []

/** An sshd that the file's teardown stops. */
async function started(keys: Keys): Promise<Sshd> {
  const sshd = await startSshd(keys)
  sshds.push(sshd.killAll)
  return sshd
}
const PID_FILE = join(tmpdir(), `fanout-ssh-test-pids-${process.pid}`)

/**
 * A remote command that outlives its channel: sshd cannot signal root sessions, so closing the
 * channel leaves it running. It records its pid so teardown can end it.
 */
function longCommand(): string[] {
  return ['sh', '-c', `echo $$ >> ${PID_FILE}; exec sleep 30`]
}

async function killLongCommands(): Promise<void> {
  const pids = await readFile(PID_FILE, 'utf8').catch(() => '')
  for (const pid of pids.split('\n').filter((p) => p !== '')) {
    try {
      process.kill(Number(pid), 'SIGKILL')
    } catch {}
  }
  await rm(PID_FILE, { force: true })
}

describe.skipIf(skipReason !== undefined)('SshExecutor against a real sshd', () => {
  let keys: Keys
  let sshd: Sshd
  let base: SshTarget

  beforeAll(async () => {
    keys = await makeKeys()
    sshd = await started(keys)
    await writeFile(join(keys.dir, 'known_hosts'), `[127.0.0.1]:${sshd.port} ${keys.hostPub}\n`)
    const config = join(keys.dir, 'ssh_config')
    await writeFile(
      config,
      [
        'Host fanout-test',
        '  HostName 127.0.0.1',
        `  Port ${sshd.port}`,
        `  IdentityFile ${keys.clientKey}`,
        `  UserKnownHostsFile ${join(keys.dir, 'known_hosts')}`,
        '  GlobalKnownHostsFile none',
        '  StrictHostKeyChecking yes',
      ].join('\n'),
    )
    base = await loadSshTarget({ host: 'fanout-test', configPath: config })
  })

  afterAll(async () => {
    await killLongCommands()
    for (const kill of sshds) await kill()
    if (keys !== undefined) await rm(keys.dir, { recursive: true, force: true })
  })

  async function connected(overrides: Partial<SshTarget> = {}): Promise<SshExecutor> {
    const executor = new SshExecutor({ ...base, ...overrides }, { log })
    onTestFinished(() => executor.close())
    await executor.connect()
    return executor
  }

  test('argv with shell metacharacters arrives intact, and dataAddress is the address reached', async () => {
    const ssh = await connected()
    const result = await ssh.run(['printf', '%s\\0', ...NASTY])
    expect(result.stdout.split('\0').slice(0, -1)).toEqual(NASTY)
    expect(ssh.dataAddress).toBe('127.0.0.1')
  })

  test('exit codes, signals, stderr and stdin', async () => {
    const ssh = await connected()
    expect(await ssh.run(['sh', '-c', 'echo oops >&2; exit 7'])).toMatchObject({
      exitCode: 7,
      stderr: 'oops\n',
    })
    expect((await ssh.run(['sh', '-c', 'kill -KILL $$'])).exitCode).toBe(137)
    expect((await ssh.run(['cat'], { input: 'héllo\n' })).stdout).toBe('héllo\n')
    expect((await ssh.run(['cat'])).stdout).toBe('')
    const many = await Promise.all(
      Array.from({ length: 30 }, (_, i) => i + 1).map((n) => ssh.run(['echo', String(n)])),
    )
    expect(many.map((r) => r.stdout)).toEqual(Array.from({ length: 30 }, (_, i) => `${i + 1}\n`))
  })

  test('timeout and abort close the channel and leave the connection usable', async () => {
    const ssh = await connected()
    await expect(ssh.run(longCommand(), { timeoutMs: 200 })).rejects.toMatchObject({ code: 'SSH_TIMEOUT' })
    const signal = AbortSignal.timeout(200)
    await expect(ssh.run(longCommand(), { signal })).rejects.toMatchObject({ code: 'ABORTED' })
    expect((await ssh.run(['true'])).exitCode).toBe(0)
  })

  test('spawn: write stdin, read stdout, exit when stdin closes', async () => {
    const ssh = await connected()
    const cat = ssh.spawn(['cat'])
    cat.stdin.end('ping\n')
    expect(await text(cat.stdout)).toBe('ping\n')
    expect(await cat.exited).toEqual({ exitCode: 0, signal: null })
  })

  test.each([
    ['a command that ends on EOF', ['cat'], 0],
    ['a command that ignores EOF', 'long', null],
  ] as const)('spawn: kill() settles exited promptly for %s', async (_name, argv, exitCode) => {
    const ssh = await connected()
    const child = ssh.spawn(argv === 'long' ? longCommand() : argv)
    child.stdout.resume()
    expect((await ssh.run(['true'])).exitCode).toBe(0) // The channel is open by now.
    const started = Date.now()
    child.kill()
    expect((await child.exited).exitCode).toBe(exitCode)
    expect(Date.now() - started).toBeLessThan(5_000)
  })

  test('tries every identity file, skipping encrypted ones', async () => {
    const ssh = await connected({ identityFiles: [keys.encryptedKey, keys.otherKey, keys.clientKey] })
    expect((await ssh.run(['true'])).exitCode).toBe(0)
  })

  test.each([
    ['a mismatched host key', 'yes', 'other'],
    ['an unknown host key with StrictHostKeyChecking yes', 'yes', 'empty'],
    ['an unknown host key with StrictHostKeyChecking ask', 'ask', 'empty'],
  ] as const)('%s is refused with SSH_HOST_KEY before any command runs', async (_name, strict, file) => {
    const knownHosts = join(keys.dir, `kh_${file}`)
    await writeFile(knownHosts, file === 'other' ? `[127.0.0.1]:${sshd.port} ${keys.otherHostPub}\n` : '')
    const ssh = new SshExecutor(
      { ...base, strictHostKeyChecking: strict, knownHostsFiles: [knownHosts] },
      { log },
    )
    onTestFinished(() => ssh.close())
    await expect(ssh.connect()).rejects.toMatchObject({
      code: 'SSH_HOST_KEY',
      context: { host: 'fanout-test' },
    })
    const marker = join(keys.dir, 'should-not-exist')
    await expect(ssh.run(['touch', marker])).rejects.toMatchObject({ code: 'SSH_HOST_KEY' })
    expect(existsSync(marker)).toBe(false)
  })

  test.each([
    ['accept-new accepts an unknown key', 'accept-new', 'empty'],
    ['no accepts a mismatched key', 'no', 'other'],
  ] as const)('%s', async (_name, strict, file) => {
    const knownHosts = join(keys.dir, `kh2_${file}`)
    await writeFile(knownHosts, file === 'other' ? `[127.0.0.1]:${sshd.port} ${keys.otherHostPub}\n` : '')
    const ssh = await connected({ strictHostKeyChecking: strict, knownHostsFiles: [knownHosts] })
    expect((await ssh.run(['true'])).exitCode).toBe(0)
  })

  test('accept-new still refuses a mismatched key', async () => {
    const knownHosts = join(keys.dir, 'kh_mismatch')
    await writeFile(knownHosts, `[127.0.0.1]:${sshd.port} ${keys.otherHostPub}\n`)
    const ssh = new SshExecutor(
      { ...base, strictHostKeyChecking: 'accept-new', knownHostsFiles: [knownHosts] },
      { log },
    )
    await expect(ssh.connect()).rejects.toMatchObject({ code: 'SSH_HOST_KEY' })
  })

  test.each([
    ['a key sshd does not accept', () => [keys.otherKey]],
    ['only a passphrase-protected key', () => [keys.encryptedKey]],
    ['no usable key at all', () => ['/nonexistent/key']],
  ])('%s fails with SSH_AUTH', async (_name, identityFiles) => {
    const ssh = new SshExecutor({ ...base, identityFiles: identityFiles() }, { log })
    await expect(ssh.connect()).rejects.toMatchObject({ code: 'SSH_AUTH', context: { host: 'fanout-test' } })
  })

  test('a closed port fails fast with SSH_CONNECT', async () => {
    const port = await freePort()
    const ssh = new SshExecutor({ ...base, port }, { log })
    const started = Date.now()
    await expect(ssh.connect()).rejects.toMatchObject({
      code: 'SSH_CONNECT',
      context: { errno: 'ECONNREFUSED' },
    })
    expect(Date.now() - started).toBeLessThan(2_000)
  })

  test('sshd dying mid-command rejects run() and settles spawned handles', async () => {
    const own = await started(keys)
    const knownHosts = join(keys.dir, 'kh_own')
    await writeFile(knownHosts, `[127.0.0.1]:${own.port} ${keys.hostPub}\n`)
    const ssh = await connected({ port: own.port, knownHostsFiles: [knownHosts] })
    const running = ssh.run(longCommand())
    const child = ssh.spawn(longCommand())
    child.stdout.resume()
    await new Promise((resolve) => setTimeout(resolve, 300))
    // Attached before the kill, so the rejection is never momentarily unhandled.
    const runFails = expect(running).rejects.toMatchObject({ code: 'SSH_CONNECT' })
    await own.killAll()
    await runFails
    expect(await child.exited).toEqual({ exitCode: null, signal: null })
    await expect(ssh.run(['true'])).rejects.toMatchObject({ code: 'SSH_CONNECT' })
    // A dropped executor reconnects rather than pretending; here sshd is gone, so that is refused.
    await expect(ssh.connect()).rejects.toMatchObject({
      code: 'SSH_CONNECT',
      context: { errno: 'ECONNREFUSED' },
    })
  })
})
