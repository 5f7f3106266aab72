import { rm, writeFile } from 'node:fs/promises'
import { type AddressInfo, createServer, type Socket } from 'node:net'
import { join } from 'node:path'
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
import { pollUntil } from '../helpers/poll-until.js'

const skipReason = loopbackSshdUnavailableReason()
if (skipReason !== undefined) console.warn(`skipping ProxyJump executor tests: ${skipReason}`)

const log = pino({ level: 'silent' })

/** A loopback port that accepts connections and never says a word, closed when the test ends. */
async function silentServer(): Promise<number> {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => sockets.add(socket))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => server.close(resolve))
  })
  return (server.address() as AddressInfo).port
}

/**
 * SshExecutor through jump hosts, against real sshds on loopback: what goes through which hop, host
 * keys checked at each one, and the jump connections closed on every way a connection ends. That
 * the jump is the only way in is shown on the cluster (proxy-jump.test.ts).
 */
describe.skipIf(skipReason !== undefined)('SshExecutor through ProxyJump', () => {
  let keys: Keys
  const sshds: Sshd[] = []
  let jump: Sshd
  let inner: Sshd
  let final: Sshd
  let config: string

  beforeAll(async () => {
    keys = await makeKeys()
    for (let i = 0; i < 3; i++) sshds.push(await startSshd(keys))
    ;[jump, inner, final] = sshds as [Sshd, Sshd, Sshd]
    const knownHosts = join(keys.dir, 'known_hosts')
    await writeFile(knownHosts, sshds.map((s) => `[127.0.0.1]:${s.port} ${keys.hostPub}\n`).join(''))
    const common = [
      '  HostName 127.0.0.1',
      `  IdentityFile ${keys.clientKey}`,
      `  UserKnownHostsFile ${knownHosts}`,
      '  GlobalKnownHostsFile none',
      '  StrictHostKeyChecking yes',
    ]
    config = join(keys.dir, 'ssh_config')
    await writeFile(
      config,
      [
        ...['Host target', `  Port ${final.port}`, '  ProxyJump jump', ...common],
        ...['Host chained', `  Port ${final.port}`, `  ProxyJump jump,root@127.0.0.1:${inner.port}`],
        ...common,
        ...['Host jump', `  Port ${jump.port}`, ...common],
        // The chain's second hop, written as an address with user and port.
        ...['Host 127.0.0.1', ...common],
      ].join('\n'),
    )
  })

  afterAll(async () => {
    for (const sshd of sshds) await sshd.killAll()
    if (keys !== undefined) await rm(keys.dir, { recursive: true, force: true })
  })

  function executor(target: SshTarget): SshExecutor {
    const ssh = new SshExecutor(target, { log })
    onTestFinished(() => ssh.close())
    return ssh
  }

  async function noSessionsOn(...servers: Sshd[]): Promise<void> {
    const idle = async () =>
      (await Promise.all(servers.map((s) => s.sessions()))).every((n) => n === 0) ? true : undefined
    await pollUntil('every jump connection closed', idle, { timeoutMs: 5_000 })
  }

  test('commands run on the final host through the jump host, which is closed with it', async () => {
    const ssh = executor(await loadSshTarget({ host: 'target', configPath: config }))
    await ssh.connect()
    const result = await ssh.run(['sh', '-c', 'echo "$SSH_CONNECTION"'])
    expect(result.stdout.trim().split(' ').at(-1)).toBe(String(final.port))
    expect(ssh.dataAddress).toBe('127.0.0.1')
    expect(ssh.localAddress).toBeUndefined()
    expect(await jump.sessions()).toBeGreaterThan(0)
    await ssh.close()
    await noSessionsOn(jump, final)
  })

  test('a chain of two hops goes through both', async () => {
    const ssh = executor(await loadSshTarget({ host: 'chained', configPath: config }))
    await ssh.connect()
    expect((await ssh.run(['true'])).exitCode).toBe(0)
    expect(await jump.sessions()).toBeGreaterThan(0)
    expect(await inner.sessions()).toBeGreaterThan(0)
    await ssh.close()
    await noSessionsOn(jump, inner, final)
  })

  test('a wrong host key on the jump host fails naming it, and nothing reaches the final host', async () => {
    const base = await loadSshTarget({ host: 'target', configPath: config })
    const wrong = join(keys.dir, 'kh_wrong_jump')
    await writeFile(wrong, `[127.0.0.1]:${jump.port} ${keys.otherHostPub}\n`)
    const [hop] = base.jumpHosts as [SshTarget]
    const ssh = executor({ ...base, jumpHosts: [{ ...hop, knownHostsFiles: [wrong] }] })
    await expect(ssh.connect()).rejects.toMatchObject({
      code: 'SSH_HOST_KEY',
      message: expect.stringMatching(
        /^target: cannot reach jump host jump \(host key SHA256:\S+ does not match known_hosts/,
      ),
      context: { host: 'target', jumpHost: 'jump' },
    })
    expect(await final.sessions()).toBe(0)
    await noSessionsOn(jump)
  })

  test('a wrong host key on the final host fails as for a direct connection, and the jump is closed', async () => {
    const base = await loadSshTarget({ host: 'target', configPath: config })
    const wrong = join(keys.dir, 'kh_wrong_final')
    await writeFile(wrong, `[127.0.0.1]:${final.port} ${keys.otherHostPub}\n`)
    const ssh = executor({ ...base, knownHostsFiles: [wrong] })
    await expect(ssh.connect()).rejects.toMatchObject({
      code: 'SSH_HOST_KEY',
      message: expect.stringMatching(/^target: host key SHA256:\S+ does not match known_hosts/),
    })
    await noSessionsOn(jump, final)
  })

  test('a final host the jump host cannot connect to fails naming both, and the jump is closed', async () => {
    const base = await loadSshTarget({ host: 'target', configPath: config })
    const port = await freePort()
    const ssh = executor({ ...base, port })
    await expect(ssh.connect()).rejects.toMatchObject({
      code: 'SSH_CONNECT',
      message: `target: jump host jump cannot connect to 127.0.0.1:${port} (Connection refused)`,
    })
    await noSessionsOn(jump)
  })

  test('an unreachable jump host fails naming it', async () => {
    const base = await loadSshTarget({ host: 'target', configPath: config })
    const [hop] = base.jumpHosts as [SshTarget]
    const ssh = executor({ ...base, jumpHosts: [{ ...hop, port: await freePort() }] })
    await expect(ssh.connect()).rejects.toMatchObject({
      code: 'SSH_CONNECT',
      message: 'target: cannot reach jump host jump (connection refused; is sshd running?)',
    })
  })

  test.each([
    ['the jump host', /^target: cannot reach jump host jump \(SSH handshake timed out/],
    ['the final host', /^target: SSH handshake timed out/],
  ] as const)('the connect timeout holds for %s on its own', async (which, message) => {
    const silent = await silentServer()
    const base = await loadSshTarget({ host: 'target', configPath: config, connectTimeoutMs: 500 })
    const [hop] = base.jumpHosts as [SshTarget]
    const ssh = executor(
      which === 'the jump host'
        ? { ...base, jumpHosts: [{ ...hop, port: silent }] }
        : { ...base, port: silent },
    )
    const started = Date.now()
    await expect(ssh.connect()).rejects.toMatchObject({
      code: 'SSH_TIMEOUT',
      message: expect.stringMatching(message),
    })
    expect(Date.now() - started).toBeLessThan(3_000)
    await noSessionsOn(jump)
  })

  test('when the jump host goes away, the connection through it is lost', async () => {
    const ownJump = await startSshd(keys)
    sshds.push(ownJump)
    const base = await loadSshTarget({ host: 'target', configPath: config })
    const [hop] = base.jumpHosts as [SshTarget]
    const ssh = executor({
      ...base,
      jumpHosts: [{ ...hop, port: ownJump.port, strictHostKeyChecking: 'no' }],
    })
    await ssh.connect()
    const lost = expect(ssh.run(['sleep', '30'])).rejects.toMatchObject({ code: 'SSH_CONNECT' })
    await ownJump.killAll()
    await lost
    await expect(ssh.run(['true'])).rejects.toMatchObject({ code: 'SSH_CONNECT' })
    await noSessionsOn(final)
  })

  test('when the final host drops the connection, the jump connection is closed too', async () => {
    const own = await startSshd(keys)
    sshds.push(own)
    const base = await loadSshTarget({ host: 'target', configPath: config })
    const ssh = executor({ ...base, port: own.port, strictHostKeyChecking: 'no' })
    await ssh.connect()
    const lost = expect(ssh.run(['sleep', '30'])).rejects.toMatchObject({ code: 'SSH_CONNECT' })
    await own.killAll()
    await lost
    await noSessionsOn(jump)
  })
})
