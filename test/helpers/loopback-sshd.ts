import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises'
import { createServer, connect as tcpConnect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { pollUntil } from './poll-until.js'

/** The sshd of the machine the tests run on, started on loopback ports of their own. */
const SSHD = '/usr/sbin/sshd'

/** Why loopback sshd tests cannot run here, or undefined when they can. */
export function loopbackSshdUnavailableReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root: sshd must run as root to log in as root'
  return existsSync(SSHD) ? undefined : `needs ${SSHD} (apt-get install openssh-server)`
}

/** Keys and files shared by every loopback sshd of a test file. */
export interface Keys {
  dir: string
  hostPub: string
  clientKey: string
  otherKey: string
  encryptedKey: string
  otherHostPub: string
}

async function keygen(dir: string, name: string, passphrase = ''): Promise<string> {
  const path = join(dir, name)
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', name, '-f', path])
  return path
}

/** A temporary directory with a host key, a second host key, and client keys (one encrypted). */
export async function makeKeys(): Promise<Keys> {
  const dir = await mkdtemp(join(tmpdir(), 'fanout-sshd-'))
  const [host, otherHost, clientKey, otherKey, encryptedKey] = await Promise.all([
    keygen(dir, 'host_key'),
    keygen(dir, 'other_host_key'),
    keygen(dir, 'client_key'),
    keygen(dir, 'other_key'),
    keygen(dir, 'encrypted_key', 'secret'),
  ])
  await writeFile(join(dir, 'authorized_keys'), await readFile(`${clientKey}.pub`))
  const pub = async (path: string) => (await readFile(`${path}.pub`, 'utf8')).split(' ').slice(0, 2).join(' ')
  return {
    dir,
    hostPub: await pub(host),
    otherHostPub: await pub(otherHost),
    clientKey,
    otherKey,
    encryptedKey,
  }
}

/** A loopback port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

function accepts(port: number): Promise<true | undefined> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: '127.0.0.1', port })
    socket.once('connect', () => resolve(true)).once('error', () => resolve(undefined))
    socket.once('close', () => resolve(undefined))
    socket.once('connect', () => socket.destroy())
  })
}

/** Pids of every process below `pid`, so a kill can reach sshd's per-connection children. */
async function descendants(pid: number): Promise<number[]> {
  const parents = new Map<number, number>()
  for (const entry of await readdir('/proc')) {
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '')
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
    if (/^\d+$/.test(entry) && Number.isInteger(ppid)) parents.set(Number(entry), ppid)
  }
  const found: number[] = []
  const queue = [pid]
  for (let parent = queue.shift(); parent !== undefined; parent = queue.shift()) {
    for (const [child, ppid] of parents) {
      if (ppid === parent) {
        found.push(child)
        queue.push(child)
      }
    }
  }
  return found
}

/** A throwaway sshd on 127.0.0.1; `killAll` takes down the listener and every open session. */
export interface Sshd {
  port: number
  killAll(): Promise<void>
  /** How many processes sshd runs for open connections: 0 when nobody is connected. */
  sessions(): Promise<number>
}

/**
 * Starts an sshd on 127.0.0.1 that lets the client key in as root. The caller must call `killAll`
 * when done.
 */
export async function startSshd(keys: Keys): Promise<Sshd> {
  const port = await freePort()
  const conf = join(keys.dir, `sshd_config_${port}`)
  // An empty home, as the cluster's hosts have (ssh-files.ts): root's own dotfiles (a pyenv init
  // that rehashes under a lock) would add their output to every session, and a session killed at
  // teardown in the middle of it would leave the machine's lock behind for every later login.
  const home = join(keys.dir, `home_${port}`)
  await mkdir(home, { recursive: true, mode: 0o700 })
  await writeFile(
    conf,
    [
      'ListenAddress 127.0.0.1',
      `Port ${port}`,
      `HostKey ${join(keys.dir, 'host_key')}`,
      `PidFile ${join(keys.dir, `sshd_${port}.pid`)}`,
      `AuthorizedKeysFile ${join(keys.dir, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'LogLevel ERROR',
      `SetEnv HOME=${home}`,
    ].join('\n'),
  )
  await mkdir('/run/sshd', { recursive: true }) // sshd refuses to start without its privsep dir.
  const child = execa(SSHD, ['-D', '-e', '-f', conf], { reject: false, stdin: 'ignore' })
  const pid = child.pid
  if (pid === undefined) throw new Error('sshd did not start')
  const killAll = async () => {
    for (const p of [pid, ...(await descendants(pid))]) {
      try {
        process.kill(p, 'SIGKILL')
      } catch {}
    }
    await child
  }
  await pollUntil('sshd accepts connections', () => accepts(port), { timeoutMs: 10_000 }).catch(
    async (err: unknown) => {
      await killAll()
      throw err
    },
  )
  return { port, killAll, sessions: async () => (await descendants(pid)).length }
}
