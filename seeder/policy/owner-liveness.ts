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

  /**
   * @param startedAt when the scheduler started: a rank never heard from counts from then.
   * @param stallMs how long without a gained piece makes an owner stalled.
   */
  constructor(
    private readonly startedAt: number,
    private readonly stallMs: number,
  ) {}

  /** The site-mate of this rank connected or gained a piece at `now`. */
  heard(rank: number, now: number): void {
    this.lastGain.set(rank, Math.max(now, this.lastGain.get(rank) ?? now))
  }

  stalled(rank: number, now: number): boolean {
    return now - (this.lastGain.get(rank) ?? this.startedAt) > this.stallMs
  }
}
