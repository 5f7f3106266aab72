/**
 * Undo steps registered as resources are made, run in reverse order. Like kraken's testutil.Cleanup:
 * register the undo right after the thing exists, so a failure half way still undoes everything made.
 */
export class CleanupStack {
  readonly #steps: { what: string; undo: () => Promise<void> | void }[] = []

  /** Registers the undo for something that now exists. */
  defer(what: string, undo: () => Promise<void> | void): void {
    this.#steps.push({ what, undo })
  }

  /**
   * Runs every undo, newest first. A failed undo does not stop the others (a namespace must still be
   * deleted when a process would not die); the failures are returned. Running it again is a no-op.
   */
  async unwind(): Promise<Error[]> {
    const errors: Error[] = []
    for (let step = this.#steps.pop(); step !== undefined; step = this.#steps.pop()) {
      try {
        await step.undo()
      } catch (err) {
        errors.push(new Error(`cleanup failed: ${step.what}`, { cause: err }))
      }
    }
    return errors
  }
}
