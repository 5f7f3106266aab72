/**
 * Caps how many channels are open at once on one connection. sshd refuses a session channel beyond
 * its MaxSessions (10 by default) with a bare "open failed", so extra commands wait for a slot
 * instead of failing.
 */
export class ChannelSlots {
  #free: number
  readonly #waiting: (() => void)[] = []

  constructor(size: number) {
    this.#free = size
  }

  /** Resolves with a release function once a slot is free; releasing twice is harmless. */
  acquire(): Promise<() => void> {
    return new Promise((resolve) => {
      const grant = (): void => {
        let released = false
        resolve(() => {
          if (released) return
          released = true
          this.#release()
        })
      }
      if (this.#free > 0) {
        this.#free--
        grant()
      } else this.#waiting.push(grant)
    })
  }

  #release(): void {
    const next = this.#waiting.shift()
    if (next === undefined) this.#free++
    else next()
  }
}
