import { createHmac, randomBytes } from 'node:crypto'
import { readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { captureWire } from '../helpers/capture-wire.js'
import { type Cluster, clusterUnavailableReason, createCluster } from '../helpers/cluster.js'
import { runFanout, startFanout, waitForStagedBytes } from '../helpers/run-fanout.js'

const reason = clusterUnavailableReason()
const TSX = join(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'tsx')
const WITH_KEY = join(import.meta.dirname, '..', 'helpers', 'transfer-with-key.ts')
const MARKER = 'FANOUT-PLAINTEXT-MARKER-'

/**
 * The swarm's secrets stay secret: not in any process's argv on any host, not in the debug log; the
 * tracker answers nobody without the transfer's secret; and the payload never crosses the wire in
 * clear unless --no-encrypt says so. Targets are shaped so the transfer lasts a few seconds.
 */
describe.skipIf(reason !== undefined)(
  `swarm secrets and encryption${reason ? ` (skipped: ${reason})` : ''}`,
  () => {
    let cluster: Cluster

    beforeAll(async () => {
      cluster = await createCluster([
        { name: 'h0', diskMiB: 96 },
        { name: 'h1', diskMiB: 96, rateMbit: 40 },
        { name: 'h2', diskMiB: 96, rateMbit: 40 },
        { name: 'outsider', diskMiB: 16 },
      ])
      // A payload that is easy to recognise on the wire: a marker repeated, with random bytes between.
      const script = `const b=[];for(let i=0;i<40000;i++)b.push(Buffer.from('${MARKER}'+i),require('crypto').randomBytes(200));require('fs').writeFileSync('/srv/payload.bin',Buffer.concat(b))`
      expect((await cluster.exec('h0', ['node', '-e', script])).exitCode).toBe(0)
    })
    afterAll(async () => {
      await cluster?.destroy()
    })

    test('no secret in any argv or log line, and the tracker refuses announces without it', async () => {
      const key = randomBytes(32)
      const secrets = secretForms(key)
      const logFile = join(tmpdir(), `fanout-security-${process.pid}.log`)
      const options = {
        source: 'h0:/srv/payload.bin',
        targets: ['h1:/srv', 'h2:/srv'],
        sshConfigPath: cluster.sshConfigPath,
        // Without the firewall, so that the outsider reaches the tracker and the secret check is what refuses it.
        firewall: false,
      }
      const [file = '', ...args] = cluster.adminArgv([TSX, WITH_KEY, JSON.stringify(options), logFile])
      const run = execa(file, args, { input: key.toString('hex'), reject: false })
      try {
        await waitForStagedBytes(cluster, 'h1', 0)
        const argvs = await allCommandLines()
        expect(argvs.some((a) => a.includes('agent.mjs'))).toBe(true)
        for (const secret of secrets) expect(argvs.filter((a) => a.includes(secret))).toEqual([])

        const answers = await announceFromOutsider(cluster, 'h0', [
          { secret: 'guess', infoHash: 'a'.repeat(40) },
          { secret: secrets[3] ?? '', infoHash: 'b'.repeat(40) },
        ])
        expect(answers[0]).toContain('not a participant')
        // The right secret gets past that check (and then stops at the wrong info-hash): the check is real.
        expect(answers[1]).toContain('unknown swarm')
      } finally {
        const result = await run
        expect(result.exitCode, result.stderr).toBe(0)
      }
      const log = await readFile(logFile, 'utf8')
      await rm(logFile, { force: true })
      expect(log.length).toBeGreaterThan(0)
      for (const secret of secrets) expect(log.includes(secret), `secret in the log`).toBe(false)
    })

    test('while it runs, an outsider reaches none of the transfer ports; afterwards every ruleset is as it was', async () => {
      for (const host of ['h1', 'h2'])
        await cluster.exec(host, ['sh', '-c', 'rm -rf /srv/payload.bin /srv/.fanout-*'])
      const before = await rulesets(cluster)
      // --bwlimit keeps the transfer running while the probes (2 s timeouts) look at it.
      const child = startFanout(cluster, ['--bwlimit', '1M', 'h0:/srv/payload.bin', 'h1:/srv', 'h2:/srv'])
      try {
        // Pieces only flow once a target's holes are open.
        await waitForStagedBytes(cluster, 'h1', 1 << 20)
        await waitForStagedBytes(cluster, 'h2', 1 << 20)
        const during = await rulesets(cluster)
        for (const host of ['h0', 'h1', 'h2']) expect(during[host]).toContain('fanout_')
        const ports = Object.fromEntries(
          await Promise.all(['h0', 'h1'].map(async (h) => [h, await listeningPorts(cluster, h)] as const)),
        )
        expect(ports.h0?.length).toBe(2)
        const reach = async (from: string, to: string) => {
          const address = cluster.hosts.find((h) => h.name === to)?.address
          return probe(cluster, from, address ?? '', ports[to] ?? [])
        }
        expect(await reach('outsider', 'h0')).toEqual(['blocked', 'blocked'])
        expect(await reach('outsider', 'h1')).toEqual(['blocked'])
        // The same probe from a participant connects: the probe itself works.
        expect(await reach('h2', 'h0')).toEqual(['open', 'open'])
      } finally {
        const result = await child
        expect(result.exitCode, result.stderr).toBe(0)
      }
      expect(await rulesets(cluster)).toEqual(before)
    })

    test.each([
      { flags: [], clearOnWire: false },
      { flags: ['--no-encrypt'], clearOnWire: true },
    ])('payload in clear on the wire: $clearOnWire with $flags', async ({ flags, clearOnWire }) => {
      await cluster.exec('h1', ['sh', '-c', 'rm -rf /srv/payload.bin /srv/.fanout-*'])
      await cluster.exec('h2', ['sh', '-c', 'rm -rf /srv/payload.bin /srv/.fanout-*'])
      const wire = await captureWire(cluster, 'h1', async () => {
        const run = await runFanout(cluster, [...flags, 'h0:/srv/payload.bin', 'h1:/srv', 'h2:/srv'])
        expect(run.exitCode, run.stderr).toBe(0)
      })
      expect(wire.length).toBeGreaterThan(8 << 20)
      expect(wire.includes(MARKER)).toBe(clearOnWire)
    })
  },
)

/** The key, and the secrets derived from it, in the encodings a leak would use. */
function secretForms(key: Buffer): string[] {
  const derive = (label: string) => createHmac('sha256', key).update(label).digest()
  return [
    key.toString('base64'),
    key.toString('hex'),
    derive('fanout peer tls psk').toString('hex'),
    derive('fanout tracker secret').toString('hex'),
  ]
}

async function allCommandLines(): Promise<string[]> {
  const lines: string[] = []
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue
    const text = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
    if (text !== '') lines.push(text.replaceAll('\0', ' '))
  }
  return lines
}

/** From a host that is not part of the transfer, announce to every port the source's agent listens on. */
async function announceFromOutsider(
  cluster: Cluster,
  source: string,
  tries: { secret: string; infoHash: string }[],
): Promise<string[]> {
  const address = cluster.hosts.find((h) => h.name === source)?.address ?? ''
  const ports = await listeningPorts(cluster, source)
  const script = `
    const [address, ports, tries] = JSON.parse(process.argv[1])
    const out = []
    for (const t of tries) {
      let text = ''
      for (const port of ports) {
        const hash = t.infoHash.replace(/../g, '%$&')
        const url = 'http://' + address + ':' + port + '/announce?fanout_secret=' + t.secret + '&info_hash=' + hash + '&peer_id=' + 'x'.repeat(20) + '&port=6881&uploaded=0&downloaded=0&left=0&compact=1'
        try { text += await (await fetch(url, { signal: AbortSignal.timeout(3000) })).text() } catch (e) { text += '[' + e.name + ']' }
      }
      out.push(text)
    }
    process.stdout.write(JSON.stringify(out))`
  const result = await cluster.exec('outsider', [
    'node',
    '-e',
    script,
    JSON.stringify([address, ports, tries]),
  ])
  return JSON.parse(result.stdout) as string[]
}

async function listeningPorts(cluster: Cluster, host: string): Promise<number[]> {
  const result = await cluster.exec(host, ['ss', '-Hltn'])
  return result.stdout
    .split('\n')
    .map((line) => Number(/:(\d+)$/.exec(line.trim().split(/\s+/)[3] ?? '')?.[1]))
    .filter((port) => Number.isInteger(port) && port !== 22)
}

async function rulesets(cluster: Cluster): Promise<Record<string, string>> {
  const hosts = ['h0', 'h1', 'h2', 'outsider']
  const texts = await Promise.all(
    hosts.map(async (h) => (await cluster.exec(h, ['nft', 'list', 'ruleset'])).stdout),
  )
  return Object.fromEntries(hosts.map((h, i) => [h, texts[i] ?? '']))
}

/** TCP connects from one host to ports of another: 'open' or 'blocked' (refused or timed out) each. */
async function probe(cluster: Cluster, from: string, address: string, ports: number[]): Promise<string[]> {
  const script = `
    const net = require('net'); const [address, ports] = JSON.parse(process.argv[1])
    Promise.all(ports.map((port) => new Promise((done) => {
      const s = net.connect({ host: address, port, timeout: 2000 })
      s.on('connect', () => { s.destroy(); done('open') })
      s.on('timeout', () => { s.destroy(); done('blocked') })
      s.on('error', () => done('blocked'))
    }))).then((r) => process.stdout.write(JSON.stringify(r)))`
  const result = await cluster.exec(from, ['node', '-e', script, JSON.stringify([address, ports])])
  return JSON.parse(result.stdout) as string[]
}
