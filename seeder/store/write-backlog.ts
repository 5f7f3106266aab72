/**
 * Bytes handed to the store's put that have not reached the files yet. The target's store adds to
 * it and its scheduler reads it (seeder/policy/memory-budget.ts), so requests stop while the disk is
 * behind instead of the verified pieces piling up in memory.
 */
export class WriteBacklog {
  private pending = 0

  get bytes(): number {
    return this.pending
  }

  /** Counts `length` bytes until the returned function is called (once; later calls do nothing). */
  hold(length: number): () => void {
    this.pending += length
    let released = false
    return () => {
      if (released) return
      released = true
      this.pending -= length
    }
  }
}
