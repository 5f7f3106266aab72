/**
 * The shortest interval between a peer's announces. A swarm here lives minutes, and a target learns
 * of peers that joined after it only by announcing again, so small swarms re-announce often.
 */
export const MIN_ANNOUNCE_INTERVAL_MS = 5_000

/**
 * The longest interval: well under bittorrent-tracker's 20-minute peer TTL, past which a peer that
 * has not announced drops off every list although it is still serving.
 */
export const MAX_ANNOUNCE_INTERVAL_MS = 600_000

/**
 * How many periodic announces per second the one tracker on the source is asked to answer. Each
 * costs a fraction of a millisecond of the source agent's CPU (bench/tracker-load.ts), time that
 * the agent also needs to serve the swarm; 25 per second keeps the tracker's share of a core small
 * at any fleet size up to where the maximum interval takes over (15,000 peers).
 */
export const ANNOUNCES_PER_SECOND = 25

/**
 * The interval the tracker asks peers to announce at, for a swarm of `peers` peers: the minimum
 * while the swarm is small, then growing with the swarm so that `peers / interval` stays at
 * {@link ANNOUNCES_PER_SECOND}, up to the maximum. A fixed 5 s would mean 200 announces per second
 * at 1,000 targets and 2,000 at 10,000. Starting, completing and leaving are announced at once
 * whatever the interval: only the periodic ones are spread.
 */
export function announceIntervalMs(peers: number): number {
  const spread = Math.ceil((Math.max(0, peers) / ANNOUNCES_PER_SECOND) * 1000)
  return Math.min(MAX_ANNOUNCE_INTERVAL_MS, Math.max(MIN_ANNOUNCE_INTERVAL_MS, spread))
}
