/**
 * What one announce costs the tracker on the source, by swarm size (issue 19: 1,000 and 10,000
 * targets against one tracker):
 *
 *   npx tsx bench/tracker-load.ts [--sizes 64,1000,10000] [--announces 2000]
 *
 * Starts fanout's tracker in a process of its own on 127.0.0.1 (bench/host/fanout-tracker.ts),
 * registers a swarm of each size (one `started` announce per peer, all targets of one site, as the
 * source's site is), then sends `--announces` periodic announces from peers of the swarm, four at a
 * time, and reads the tracker process's CPU time (/proc/<pid>/stat) before and after: CPU per
 * announce, and what the announce interval policy makes of it at that size. Loopback only.
 */
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { readFile } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { execa } from 'execa'
import { makePeerId } from '../shared/peer-id.js'
import { announceIntervalMs } from '../tracker/announce-interval.js'
import { TSX_NODE } from './lib/tsx-node.js'

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '64,1000,10000' },
    announces: { type: 'string', default: '2000' },
  },
})
const sizes = values.sizes.split(',').map(Number)
const announces = Number(values.announces)
const SECRET = randomBytes(32).toString('hex')
const CONCURRENCY = 4

/** Percent-encodes every byte, as BitTorrent clients send binary ids. */
const binary = (hex: string) => hex.replace(/../g, (byte) => `%${byte}`)

async function announce(url: string, infoHash: string, peerId: string, port: number, event: string) {
  const query = `info_hash=${binary(infoHash)}&peer_id=${binary(peerId)}&port=${port}&left=1&compact=1&numwant=50&event=${event}&fanout_secret=${SECRET}`
  const response = await fetch(`${url}?${query}`, { signal: AbortSignal.timeout(30_000) })
  if (!response.ok) throw new Error(`announce answered ${response.status}`)
  await response.arrayBuffer()
}

/** utime + stime of a process, in seconds (clock ticks of 1/100 s). */
async function cpuSeconds(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? []
  return (Number(fields[11]) + Number(fields[12])) / 100
}

async function inParallel(count: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    for (let i = next++; i < count; i = next++) await task(i)
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
}

async function measure(size: number): Promise<string> {
  const infoHash = randomBytes(20).toString('hex')
  const child = execa(
    TSX_NODE[0] ?? 'node',
    [...TSX_NODE.slice(1), 'bench/host/fanout-tracker.ts', infoHash, SECRET],
    {
      cwd: `${import.meta.dirname}/..`,
      stdin: 'pipe',
      stderr: 'inherit',
    },
  )
  try {
    const [url = ''] = await once(createInterface({ input: child.stdout }), 'line')
    const peers = Array.from({ length: size }, (_, rank) => makePeerId({ role: 'target', site: 0, rank }))
    const registering = performance.now()
    await inParallel(size, (i) => announce(url, infoHash, peers[i] ?? '', 20_000 + i, 'started'))
    const registerSeconds = (performance.now() - registering) / 1000
    const before = await cpuSeconds(child.pid ?? 0)
    const started = performance.now()
    await inParallel(announces, (i) =>
      announce(url, infoHash, peers[i % size] ?? '', 20_000 + (i % size), 'update'),
    )
    const wall = (performance.now() - started) / 1000
    const cpu = (await cpuSeconds(child.pid ?? 0)) - before
    const perAnnounceMs = (cpu / announces) * 1000
    const interval = announceIntervalMs(size) / 1000
    const rate = size / interval
    return `| ${size} | ${registerSeconds.toFixed(1)} | ${perAnnounceMs.toFixed(3)} | ${(announces / wall).toFixed(0)} | ${interval.toFixed(0)} | ${rate.toFixed(1)} | ${((rate * perAnnounceMs) / 10).toFixed(2)} |`
  } finally {
    child.stdin?.end()
    await child.catch(() => undefined)
  }
}

const lines = [
  `tracker CPU per announce, ${announces} periodic announces per size (numwant 50, compact, one site), ${CONCURRENCY} at a time`,
  '',
  '| swarm | register s | CPU ms / announce | announces/s at saturation (wall) | interval s | periodic announces/s | % of a core |',
  '|---:|---:|---:|---:|---:|---:|---:|',
]
for (const size of sizes) lines.push(await measure(size))
console.log(lines.join('\n'))
