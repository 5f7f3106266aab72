/**
 * A token bucket: `rate` tokens per second, holding at most `capacity`. Used to pace download
 * requests under --bwlimit: peers send only what is asked for, so asking at the cap holds the cap
 * far more tightly than throttling reads (the kernel's receive buffers absorb seconds of burst).
 */
export class TokenBucket {
  private tokens: number
  private last: number

  constructor(
    private readonly rate: number,
    private readonly capacity: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = capacity
    this.last = now()
  }

  /** Takes `amount` if that many tokens are there; says whether it did. */
  take(amount: number): boolean {
    const now = this.now()
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.rate)
    this.last = now
    if (this.tokens < amount) return false
    this.tokens -= amount
    return true
  }

  /** Returns tokens taken for something that did not happen after all. */
  give(amount: number): void {
    this.tokens = Math.min(this.capacity, this.tokens + amount)
  }
}
