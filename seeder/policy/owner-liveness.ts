/**
 * When each site-mate, by rank, last gained a piece: what tells a working owner of a share from a
 * gone or stuck one, whose share others then fetch over expensive links. Pure: the caller passes
 * the time in.
 *
 * Kept per rank, not per connection: two peers that dial each other briefly have two connections,
 * and the duplicate is closed at once. A record per connection let the closed one's frozen time
 * stand for the peer, so a healthy owner looked stalled 10 s later and every other target fetched
 * its share from the source as well (measured: the source served 1.44x the payload to 8 targets).
 */
export class OwnerLiveness {
  private readonly lastGain = new Map<number, number>()
  /** The most pieces each rank has been seen to hold, on any connection. */
  private readonly mostHeld = new Map<number, number>()

  /**
   * @param startedAt when the scheduler started: a rank never heard from counts from then.
   * @param stallMs how long without a gained piece makes an owner stalled.
   */
  constructor(
    private readonly startedAt: number,
    private readonly stallMs: number,
  ) {}

  /**
   * The site-mate of this rank was seen holding `held` pieces at `now`; a gain only when that is more
   * than it ever held. A connection alone is no sign of life: a peer that is refused (a target
   * dropped for bad data) reconnects again and again with nothing new, and counting those would
   * keep its share from ever being taken over. Returns whether it was a gain.
   */
  heard(rank: number, held: number, now: number): boolean {
    if (held <= (this.mostHeld.get(rank) ?? 0)) return false
    this.mostHeld.set(rank, held)
    this.lastGain.set(rank, Math.max(now, this.lastGain.get(rank) ?? now))
    return true
  }

  stalled(rank: number, now: number): boolean {
    return now - (this.lastGain.get(rank) ?? this.startedAt) > this.stallMs
  }
}
