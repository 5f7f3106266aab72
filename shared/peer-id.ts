import { randomBytes } from 'node:crypto'

/**
 * A peer id that tells every other peer, and the tracker, what this peer is: the source or a target,
 * and which site it is in. Peers use it to tell expensive links (to the source, across sites) from
 * cheap ones; the tracker uses it to hand out mostly same-site peers. It carries nothing secret.
 *
 * Layout (20 bytes, as BitTorrent wants): `-FO1`, `S` or `T`, the site in three decimal digits, the
 * target's rank in its site in four (0 for the source), then 8 random bytes.
 */
export type PeerRole = 'source' | 'target'

const PREFIX = '-FO1'
const MAX_SITE = 999
const MAX_RANK = 9999

export interface PeerIdentity {
  role: PeerRole
  site: number
  rank: number
}

export function makePeerId({ role, site, rank }: PeerIdentity): string {
  if (!Number.isInteger(site) || site < 0 || site > MAX_SITE)
    throw new RangeError(`site ${site} out of range`)
  if (!Number.isInteger(rank) || rank < 0 || rank > MAX_RANK)
    throw new RangeError(`rank ${rank} out of range`)
  const text = `${PREFIX}${role === 'source' ? 'S' : 'T'}${pad(site, 3)}${pad(rank, 4)}`
  return Buffer.concat([Buffer.from(text, 'latin1'), randomBytes(8)]).toString('hex')
}

/** What a peer id made by makePeerId says; null for anything else. */
export function readPeerId(peerIdHex: string): PeerIdentity | null {
  const head = Buffer.from(peerIdHex.slice(0, 24), 'hex').toString('latin1')
  const match = /^-FO1([ST])(\d{3})(\d{4})$/.exec(head)
  if (match === null) return null
  return { role: match[1] === 'S' ? 'source' : 'target', site: Number(match[2]), rank: Number(match[3]) }
}

function pad(value: number, digits: number): string {
  return String(value).padStart(digits, '0')
}
