import { randomBytes } from 'node:crypto'
import bencode from 'bencode'
import pino from 'pino'
import { expect, onTestFinished, test } from 'vitest'
import { makePeerId, readPeerId } from '../../shared/peer-id.js'
import { announceIntervalMs } from '../../tracker/announce-interval.js'
import { startTracker } from '../../tracker/server.js'

const SECRET = 'a'.repeat(64)

/** Percent-encodes every byte: how BitTorrent clients send binary ids in an announce. */
function binary(hex: string): string {
  return hex.replace(/../g, (byte) => `%${byte}`)
}

interface Listed {
  'peer id': Uint8Array
  port: number
}

interface Answer {
  peers?: Listed[]
  /** Seconds until the next periodic announce. */
  interval?: number
  /** Peers the swarm lists that have not completed. */
  incomplete?: number
}

/** One HTTP announce, non-compact so that the answer carries peer ids. */
async function announceFor(url: string, infoHash: string, peerId: string, port: number): Promise<Answer> {
  const query = `info_hash=${binary(infoHash)}&peer_id=${binary(peerId)}&port=${port}&left=1&compact=0&event=started&numwant=50&fanout_secret=${SECRET}`
  const response = await fetch(`${url}?${query}`, { signal: AbortSignal.timeout(10_000) })
  return bencode.decode(new Uint8Array(await response.arrayBuffer())) as Answer
}

/** One announce; returns the sites of the peers it lists. */
async function announce(url: string, infoHash: string, peerId: string, port: number): Promise<number[]> {
  const body = await announceFor(url, infoHash, peerId, port)
  return (body.peers ?? []).map((p) => readPeerId(Buffer.from(p['peer id']).toString('hex'))?.site ?? -1)
}

function trackerFor(infoHash: string) {
  return startTracker({ host: '127.0.0.1', infoHash, secret: SECRET, log: pino({ level: 'silent' }) })
}

/**
 * The selection hooked into a real bittorrent-tracker: a target of site 1 hears of every peer of its
 * site and of two of site 0, though site 0 has more peers and announced first; the source hears only
 * of two of site 1.
 */
test('the tracker hands out same-site peers and two gateways to other sites', async () => {
  const infoHash = randomBytes(20).toString('hex')
  const tracker = await trackerFor(infoHash)
  onTestFinished(() => tracker.close())
  const peers = [
    makePeerId({ role: 'source', site: 0, rank: 0 }),
    ...[0, 1, 2, 3].map((rank) => makePeerId({ role: 'target', site: 0, rank })),
    ...[0, 1, 2].map((rank) => makePeerId({ role: 'target', site: 1, rank })),
  ]
  const lists: number[][] = []
  for (const [index, peerId] of peers.entries())
    lists.push(await announce(tracker.url, infoHash, peerId, 20_000 + index))
  // The last one in, a target of site 1: its two site-mates and two gateways in site 0.
  expect(lists.at(-1)?.sort()).toEqual([0, 0, 1, 1])
  // The source, announcing again: two targets of site 1 only; its four site-mates dial it themselves.
  expect((await announce(tracker.url, infoHash, peers[0] ?? '', 20_000)).sort()).toEqual([1, 1])
})

/**
 * A fleet of 1,100 targets against a real bittorrent-tracker: every one stays on the swarm's list
 * (the library's default LRU holds 1,000 and drops the rest), the interval in each answer grows with
 * the swarm as announceIntervalMs says, and the tracker counts what it answered.
 */
test('the tracker keeps a fleet of over 1,000 peers and spaces their announces out', async () => {
  const infoHash = randomBytes(20).toString('hex')
  const tracker = await trackerFor(infoHash)
  onTestFinished(() => tracker.close())
  const fleet = 1_100
  const answers: Answer[] = []
  for (let rank = 0; rank < fleet; rank++) {
    const peerId = makePeerId({ role: 'target', site: 0, rank })
    answers.push(await announceFor(tracker.url, infoHash, peerId, 20_000 + rank))
  }
  expect(answers[0]?.interval).toBe(announceIntervalMs(1) / 1000)
  expect(answers.at(-1)?.interval).toBe(announceIntervalMs(fleet) / 1000)
  expect(answers.at(-1)?.interval).toBe(44)
  expect(answers.at(-1)?.incomplete).toBe(fleet)
  expect(tracker.stats()).toEqual({ announces: fleet, peakPeers: fleet })
}, 60_000)
