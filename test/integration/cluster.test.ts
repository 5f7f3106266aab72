import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest'
import {
  type Cluster,
  clusterUnavailableReason,
  createCluster,
  createClusterWithId,
  destroyStaleClusters,
} from '../helpers/cluster.js'
import { removeNamespace } from '../helpers/cluster-network.js'
import { netnsInode, processesInNetns } from '../helpers/netns-processes.js'
import { pollUntil } from '../helpers/poll-until.js'
import { runCommand, runOrThrow } from '../helpers/run-command.js'

const reason = clusterUnavailableReason()
if (reason !== undefined) console.warn(`skipping the virtual cluster tests: ${reason}`)

const MiB = 1024 * 1024
const RATE_MBIT = 50

describe.skipIf(reason !== undefined)('virtual cluster', () => {
  let cluster: Cluster

  beforeAll(async () => {
    const started = performance.now()
    cluster = await createCluster([
      { name: 'h1', diskMiB: 64, rateMbit: RATE_MBIT },
      { name: 'h2', rateMbit: RATE_MBIT },
      { name: 'h3' },
    ])
    console.info(`3-host cluster ${cluster.id} created in ${Math.round(performance.now() - started)} ms`)
  })

  afterAll(async () => {
    await cluster?.destroy()
  })

  /** Runs OpenSSH from the admin namespace, as the orchestrator would. */
  function ssh(c: Cluster, host: string, command: string, extra: readonly string[] = []) {
    return runCommand(c.adminArgv(['ssh', '-F', c.sshConfigPath, ...extra, host, command]), {
      timeoutMs: 30_000,
    })
  }

  test('OpenSSH from the admin namespace logs into every host over the bridge', async () => {
    for (const host of cluster.hosts) {
      const result = await ssh(cluster, host.name, 'echo "$SSH_CONNECTION"; id -u')
      expect(result, result.stderr).toMatchObject({ exitCode: 0 })
      const [connection, uid] = result.stdout.split('\n')
      // SSH_CONNECTION is "client-ip client-port server-ip server-port".
      const [from, , to, port] = connection?.split(' ') ?? []
      expect({ from, to, port, uid }).toEqual({
        from: cluster.adminAddress,
        to: host.address,
        port: '22',
        uid: '0',
      })
    }
  })

  test('host keys are checked: without the known_hosts file the login is refused', async () => {
    const noKnownHosts = ['-o', 'UserKnownHostsFile=/dev/null', '-o', 'GlobalKnownHostsFile=/dev/null']
    const result = await ssh(cluster, 'h1', 'true', noKnownHosts)
    expect(result.exitCode).toBe(255)
    expect(result.stderr).toContain('Host key verification failed')
  })

  test('/srv is a private tmpfs of the requested size on each host', async () => {
    const marker = `/srv/marker-${cluster.id}`
    expect((await ssh(cluster, 'h1', `echo here > ${marker}`)).exitCode).toBe(0)
    expect((await cluster.exec('h1', ['cat', marker])).stdout).toBe('here')
    expect((await cluster.exec('h2', ['test', '-e', marker])).exitCode).toBe(1)
    expect(existsSync(marker)).toBe(false)
    const mount = await cluster.exec('h1', ['findmnt', '-n', '-b', '-o', 'FSTYPE,SIZE', '/srv'])
    expect(mount.stdout.trim().split(/\s+/)).toEqual(['tmpfs', String(64 * MiB)])
    const defaultSize = await cluster.exec('h3', ['findmnt', '-n', '-b', '-o', 'SIZE', '/srv'])
    expect(defaultSize.stdout.trim()).toBe(String(256 * MiB))
  })

  test('the root namespace has no address or route in the cluster subnet', async () => {
    // Only reads the routing table: a packet sent from here would follow the default route off the machine.
    const subnet = `${cluster.adminAddress.split('.').slice(0, 3).join('.')}.`
    const addresses = await runOrThrow(['ip', '-4', '-o', 'addr', 'show'])
    const routes = await runOrThrow(['ip', '-4', 'route', 'show', 'table', 'all'])
    expect(addresses).not.toContain(subnet)
    expect(routes).not.toContain(subnet)
    // The same command inside a host does see the subnet, so the checks above can fail.
    const inHost = await cluster.exec('h1', ['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0'])
    expect(inHost.stdout).toContain(`${cluster.hosts[0]?.address}/24`)
  })

  // h3 is unshaped, so each case meets one shaped queue: h1's upload, then h2's download.
  test.each([
    { direction: 'upload', from: 'h1', to: 'h3' },
    { direction: 'download', from: 'h3', to: 'h2' },
  ])(`shaping limits a host's $direction to about ${RATE_MBIT} Mbit/s`, async ({ from, to }) => {
    const bytes = 16 * MiB
    const { ms, received } = await timeTcpTransfer(cluster, from, to, bytes)
    expect(received).toBe(bytes)
    const boundMs = ((bytes * 8) / (RATE_MBIT * 1e6)) * 1000
    console.info(`${bytes} bytes ${from} -> ${to}: ${Math.round(ms)} ms, bound ${Math.round(boundMs)} ms`)
    expect(ms).toBeGreaterThan(0.8 * boundMs)
    expect(ms).toBeLessThan(1.6 * boundMs)
  })

  test('processes() sees a command started over SSH, and not once it has ended', async () => {
    const session = spawn(cluster.adminArgv(['ssh', '-F', cluster.sshConfigPath, 'h1', 'exec sleep 4242']))
    onTestFinished(() => {
      session.kill()
    })
    const sleeper = await pollUntil(
      'the sleep started over ssh',
      async () => (await cluster.processes('h1')).find((p) => p.cmdline === 'sleep 4242'),
      { timeoutMs: 10_000 },
    )
    expect((await cluster.processes('h2')).map((p) => p.cmdline)).not.toContain('sleep 4242')
    expect((await cluster.exec('h1', ['kill', String(sleeper.pid)])).exitCode).toBe(0)
    // OpenSSH exits 255 when the remote command died of a signal.
    expect((await session).exitCode).toBe(255)
    // The sshd session process goes a moment after its command; nothing else of ours may remain.
    const left = await pollUntil(
      'h1 to have no process left',
      async () => ((await cluster.processes('h1')).length === 0 ? [] : undefined),
      { timeoutMs: 10_000 },
    )
    expect(left).toEqual([])
  })

  test('setLink cuts a host off the bridge and plugs it back in', async () => {
    await cluster.setLink('h3', false)
    onTestFinished(() => cluster.setLink('h3', true))
    const cut = await ssh(cluster, 'h3', 'true', ['-o', 'ConnectTimeout=1'])
    expect(cut.exitCode).toBe(255)
    expect((await ssh(cluster, 'h2', 'true')).exitCode).toBe(0)
    await cluster.setLink('h3', true)
    await pollUntil(
      'h3 to be reachable again',
      async () =>
        (await ssh(cluster, 'h3', 'true', ['-o', 'ConnectTimeout=1'])).exitCode === 0 ? true : undefined,
      { timeoutMs: 15_000 },
    )
  })

  test('a second cluster coexists; stopSsh and destroy leave nothing behind', async () => {
    const other = await createCluster([{ name: 'a' }, { name: 'b' }])
    onTestFinished(() => other.destroy())
    const names = await clusterNamespaces(other.id)
    expect(names).toHaveLength(4)
    const inodes = await Promise.all(names.map(async (name) => (await netnsInode(name)) ?? 0))
    const dir = dirname(other.sshConfigPath)

    // Leftovers a test might leave: an orphan on a host, and a process in the admin namespace.
    expect((await ssh(other, 'a', 'nohup sleep 4243 >/dev/null 2>&1 &')).exitCode).toBe(0)
    const adminChild = spawn(other.adminArgv(['sleep', '4244']))

    await other.stopSsh('a')
    await other.stopSsh('a')
    expect((await ssh(other, 'a', 'true')).stderr).toContain('Connection refused')
    expect((await other.exec('a', ['sh', '-c', 'echo kept > /srv/x && cat /srv/x'])).stdout).toBe('kept')
    expect((await ssh(other, 'b', 'true')).exitCode).toBe(0)
    expect((await ssh(cluster, 'h1', 'true')).exitCode).toBe(0)

    await other.destroy()
    await other.destroy()
    expect(await clusterNamespaces(other.id)).toEqual([])
    for (const inode of inodes) expect(await processesInNetns(inode)).toEqual([])
    expect((await adminChild).signal).toBe('SIGKILL')
    expect(await processesMentioning(dir)).toEqual([])
    expect(existsSync(dir)).toBe(false)
    expect((await ssh(cluster, 'h1', 'true')).exitCode).toBe(0)
  })

  test('a creation that fails half way removes what it made, and only that', async () => {
    const id = randomHex(6)
    // Host h1's namespace name is taken, so creation fails after the switch, admin and h0 namespaces.
    const taken = `fot${id}-h1`
    await runOrThrow(['ip', 'netns', 'add', taken])
    onTestFinished(() => removeNamespace(taken))
    const dirsBefore = await clusterDirs(id)

    await expect(createClusterWithId(id, [{ name: 'x' }, { name: 'y' }])).rejects.toThrow(/File exists/)
    expect(await clusterNamespaces(id)).toEqual([taken])
    expect(await clusterDirs(id)).toEqual(dirsBefore)
  })

  test('destroyStaleClusters removes a crashed run’s namespaces and keeps live clusters', async () => {
    const id = randomHex(6)
    const stale = `fot${id}-h0`
    // A crashed run's directory: its owner record names a process that no longer exists.
    const staleDir = await mkdtemp(join(tmpdir(), `fot${id}-`))
    onTestFinished(() => rm(staleDir, { recursive: true, force: true }))
    await writeFile(join(staleDir, 'owner'), '4194304 1\n')
    await runOrThrow(['ip', 'netns', 'add', stale])
    onTestFinished(() => removeNamespace(stale))
    const inode = (await netnsInode(stale)) ?? 0
    const orphan = spawn(['ip', 'netns', 'exec', stale, 'sleep', '4245'])
    await pollUntil(
      'the stale namespace’s process',
      async () => ((await processesInNetns(inode)).length > 0 ? true : undefined),
      { timeoutMs: 5_000 },
    )

    expect(await destroyStaleClusters()).toEqual(expect.arrayContaining([stale, staleDir]))
    expect(existsSync(staleDir)).toBe(false)
    expect((await orphan).signal).toBe('SIGKILL')
    expect(await netnsInode(stale)).toBeUndefined()
    expect(await clusterNamespaces(cluster.id)).toHaveLength(5)
    expect((await ssh(cluster, 'h2', 'true')).exitCode).toBe(0)
  })
})

function randomHex(digits: number): string {
  return randomBytes(digits).toString('hex').slice(0, digits)
}

/** Temporary directories of cluster `id`. */
async function clusterDirs(id: string): Promise<string[]> {
  return (await readdir(tmpdir())).filter((name) => name.startsWith(`fot${id}-`))
}

/** Starts argv without waiting for it; the result resolves (never rejects) when it ends. */
function spawn(argv: readonly string[]) {
  const [file = '', ...args] = argv
  return execa(file, args, { reject: false })
}

/** Names of the namespaces of cluster `id` that `ip netns list` shows. */
async function clusterNamespaces(id: string): Promise<string[]> {
  const list = await runOrThrow(['ip', 'netns', 'list'])
  return list
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(`fot${id}-`))
}

/** Pids of processes whose command line mentions `text`, such as an sshd started with a config in a temp dir. */
async function processesMentioning(text: string): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry))
  const hits = await Promise.all(
    pids.map(async (pid) => {
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
      return cmdline.includes(text) ? Number(pid) : undefined
    }),
  )
  return hits.filter((pid) => pid !== undefined)
}

/**
 * Sends `bytes` over one TCP connection from one host to another with node one-liners. The receiver
 * answers with the count once it has read everything, and the sender times connect → answer, so
 * process start-up is not counted.
 */
async function timeTcpTransfer(c: Cluster, from: string, to: string, bytes: number) {
  const address = c.hosts.find((h) => h.name === to)?.address
  const port = 5201
  const server = `
    const net = require('node:net')
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      let n = 0
      socket.on('data', (chunk) => { n += chunk.length })
      socket.on('end', () => { socket.end(String(n)); server.close() })
    })
    server.listen(${port}, '${address}')`
  const client = `
    const net = require('node:net')
    const deadline = Date.now() + 10000
    const attempt = () => {
      const socket = net.connect(${port}, '${address}')
      socket.once('error', (err) => {
        if (Date.now() > deadline) throw err
        setTimeout(attempt, 20)
      })
      socket.once('connect', () => {
        const started = process.hrtime.bigint()
        let reply = ''
        socket.on('data', (chunk) => { reply += chunk })
        socket.on('end', () => {
          const ms = Number(process.hrtime.bigint() - started) / 1e6
          console.log(JSON.stringify({ ms, received: Number(reply) }))
        })
        socket.end(Buffer.alloc(${bytes}))
      })
    }
    attempt()`
  const [serverResult, clientResult] = await Promise.all([
    c.exec(to, [process.execPath, '-e', server]),
    c.exec(from, [process.execPath, '-e', client]),
  ])
  expect(serverResult.exitCode, serverResult.stderr).toBe(0)
  expect(clientResult.exitCode, clientResult.stderr).toBe(0)
  return JSON.parse(clientResult.stdout) as { ms: number; received: number }
}
