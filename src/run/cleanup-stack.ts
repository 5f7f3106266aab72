import type { Logger } from 'pino'

type Undo = () => Promise<void> | void

/**
 * Undo steps registered as each resource is made, run in reverse on every exit path. A failing undo
 * is logged and the rest still run: one host that cannot be cleaned must not leave the others dirty.
 */
export class CleanupStack {
  private readonly steps: { what: string; undo: Undo }[] = []

  constructor(private readonly log: Logger) {}

  defer(what: string, undo: Undo): void {
    this.steps.push({ what, undo })
  }

  /** Runs every step once, newest first; returns what could not be undone. */
  async unwind(): Promise<string[]> {
    const failed: string[] = []
    for (let step = this.steps.pop(); step !== undefined; step = this.steps.pop()) {
      try {
        await step.undo()
      } catch (err) {
        failed.push(step.what)
        this.log.warn({ err, what: step.what }, 'cleanup step failed')
      }
    }
    return failed
  }
}
