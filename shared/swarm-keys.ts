import { createHmac, timingSafeEqual } from 'node:crypto'
import type { SwarmSecurity } from './messages.js'

/** What an agent derives from the transfer's key; separate keys so that one use cannot leak the other. */
export interface SwarmKeys {
  /** TLS pre-shared key for peer connections, or undefined when the swarm is not encrypted. */
  psk: Buffer | undefined
  /** What every announce must carry for the tracker to answer. */
  trackerSecret: string
}

export function deriveSwarmKeys(swarm: SwarmSecurity): SwarmKeys {
  const key = Buffer.from(swarm.key, 'base64')
  if (key.length < 32) throw new Error('the swarm key is too short')
  const derive = (label: string) => createHmac('sha256', key).update(label).digest()
  return {
    psk: swarm.encrypt ? derive('fanout peer tls psk') : undefined,
    trackerSecret: derive('fanout tracker secret').toString('hex'),
  }
}

/** The announce URL a peer uses: the tracker's URL plus the secret as a query parameter. */
export function announceUrl(trackerUrl: string, trackerSecret: string): string {
  return `${trackerUrl}?fanout_secret=${trackerSecret}`
}

/** Constant-time comparison, so response timing tells a guesser nothing. */
export function secretMatches(given: unknown, expected: string): boolean {
  if (typeof given !== 'string' || given.length !== expected.length) return false
  return timingSafeEqual(Buffer.from(given), Buffer.from(expected))
}
