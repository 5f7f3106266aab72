import { describe, expect, test } from 'vitest'
import { makePeerId, readPeerId } from '../../../shared/peer-id.js'
import { CROSS_SITE_PEERS, selectPeers } from '../../../tracker/select-peers.js'

interface Peer {
  peerId: string
  name: string
}

/** A swarm of one source in site 0, `perSite[s]` targets in site s, named `s<site>t<n>`. */
function swarm(perSite: number[]): Peer[] {
  const source = { peerId: makePeerId({ role: 'source', site: 0, rank: 0 }), name: 'source' }
  const targets = perSite.flatMap((count, site) =>
    Array.from({ length: count }, (_, n) => ({
      peerId: makePeerId({ role: 'target', site, rank: n }),
      name: `s${site}t${n}`,
    })),
  )
  return [source, ...targets]
}

function byName(peers: readonly Peer[], name: string): Peer {
  const peer = peers.find((p) => p.name === name)
  if (peer === undefined) throw new Error(`no peer ${name}`)
  return peer
}

const siteOf = (p: Peer) => readPeerId(p.peerId)?.site

describe('selectPeers', () => {
  test('a target gets every peer of its site and at most two of other sites, never itself', () => {
    const peers = swarm([4, 8])
    const asker = byName(peers, 's1t0')
    const list = selectPeers(peers, asker.peerId, 50)
    expect(list).not.toContainEqual(asker)
    expect(list.filter((p) => siteOf(p) === 1)).toHaveLength(7)
    expect(list.filter((p) => siteOf(p) === 0)).toHaveLength(CROSS_SITE_PEERS)
  })

  test('cross-site gateways are targets before the source', () => {
    const peers = swarm([4, 8])
    for (const asker of peers.filter((p) => siteOf(p) === 1)) {
      const cross = selectPeers(peers, asker.peerId, 50).filter((p) => siteOf(p) === 0)
      expect(cross.map((p) => p.name)).not.toContain('source')
    }
  })

  test('the source is a gateway when its site has too few targets', () => {
    const peers = swarm([1, 3])
    const cross = selectPeers(peers, byName(peers, 's1t0').peerId, 50).filter((p) => siteOf(p) === 0)
    expect(cross.map((p) => p.name).sort()).toEqual(['s0t0', 'source'])
    const alone = swarm([0, 3])
    expect(
      selectPeers(alone, byName(alone, 's1t2').peerId, 50)
        .map((p) => p.name)
        .sort(),
    ).toEqual(['s1t0', 's1t1', 'source'])
  })

  test('the source gets two targets of other sites and none of its own, which dial it', () => {
    const peers = swarm([2, 8])
    const list = selectPeers(peers, byName(peers, 'source').peerId, 50)
    expect(list.filter((p) => siteOf(p) === 0)).toEqual([])
    expect(list.filter((p) => siteOf(p) === 1)).toHaveLength(2)
    for (const target of ['s0t0', 's0t1']) {
      expect(selectPeers(peers, byName(peers, target).peerId, 50).map((p) => p.name)).toContain('source')
    }
  })

  test('a target of the source site gets the source first, however many site-mates it has', () => {
    const peers = swarm([80, 4])
    for (const asker of peers.filter((p) => siteOf(p) === 0 && p.name !== 'source')) {
      const list = selectPeers(peers, asker.peerId, 50)
      expect(list).toHaveLength(50)
      expect(list[0]?.name).toBe('source')
      expect(list.filter((p) => siteOf(p) === 1)).toHaveLength(CROSS_SITE_PEERS)
    }
  })

  test('in a large site, different askers get different site-mates', () => {
    const peers = swarm([200])
    const lists = peers.slice(1, 21).map((asker) =>
      selectPeers(peers, asker.peerId, 50)
        .map((p) => p.name)
        .sort()
        .join(),
    )
    expect(new Set(lists).size).toBe(lists.length)
    // Each of the 200 targets is on some list: no peer is left for others to find only by chance.
    const listed = new Set(
      peers.slice(1).flatMap((asker) => selectPeers(peers, asker.peerId, 50).map((p) => p.name)),
    )
    expect(listed.size).toBe(201)
  })

  test('different askers get different gateways, and each asker the same ones every time', () => {
    const peers = swarm([8, 8])
    const askers = peers.filter((p) => siteOf(p) === 1)
    const gateways = askers.map((asker) =>
      selectPeers(peers, asker.peerId, 50)
        .filter((p) => siteOf(p) === 0)
        .map((p) => p.name)
        .join(),
    )
    expect(new Set(gateways).size).toBeGreaterThan(2)
    const again = askers.map((asker) =>
      selectPeers([...peers].reverse(), asker.peerId, 50)
        .filter((p) => siteOf(p) === 0)
        .map((p) => p.name)
        .join(),
    )
    expect(again).toEqual(gateways)
  })

  test('numwant caps the list, keeping the gateways', () => {
    const peers = swarm([10, 10])
    const list = selectPeers(peers, byName(peers, 's0t0').peerId, 5)
    expect(list).toHaveLength(5)
    expect(list.filter((p) => siteOf(p) === 1)).toHaveLength(2)
    expect(selectPeers(peers, byName(peers, 's0t0').peerId, 1)).toHaveLength(1)
  })

  test('ids that are not ours count as targets of site 0', () => {
    const foreign = { peerId: Buffer.from('-WW0100-abcdefghijkl').toString('hex'), name: 'foreign' }
    const peers = [...swarm([1, 3]), foreign]
    const fromSite0 = selectPeers(peers, byName(peers, 's0t0').peerId, 50).map((p) => p.name)
    expect(fromSite0).toContain('foreign')
    expect(selectPeers(peers, foreign.peerId, 50).filter((p) => siteOf(p) === 1)).toHaveLength(2)
    // Among the gateways of site 1, the foreign peer ranks as a target, ahead of the source.
    const cross = selectPeers(peers, byName(peers, 's1t0').peerId, 50).filter((p) => siteOf(p) !== 1)
    expect(cross.map((p) => p.name)).not.toContain('source')
  })
})
