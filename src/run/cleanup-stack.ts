import type { Logger } from 'pino'

type Undo = () => Promise<void> | void

type Step = { what: string; undo: Undo } | { what: string; child: CleanupStack }

/**
 * Undo steps registered as each resource is made, run in reverse on every exit path. A failing undo
 * is logged and the rest still run: one host that cannot be cleaned must not leave the others dirty.
 *
 * Each host's steps go on a child stack: children registered one after another are unwound at the
 * same time (each in its own reverse order), because cleaning 17 hosts one SSH round trip after
 * another took seconds at the end of every run.
 */
export class CleanupStack {
  private readonly steps: Step[] = []

  constructor(private readonly log: Logger) {}

  defer(what: string, undo: Undo): void {
    this.steps.push({ what, undo })
  }

  /** A stack of its own, unwound together with the children registered next to it. */
  child(what: string): CleanupStack {
    const child = new CleanupStack(this.log)
    this.steps.push({ what, child })
    return child
  }

  /** Runs every step once, newest first; returns what could not be undone. */
  async unwind(): Promise<string[]> {
    const failed: string[] = []
    for (let step = this.steps.pop(); step !== undefined; step = this.steps.pop()) {
      const batch = [step]
      for (
        let next = this.steps.at(-1);
        'child' in step && next !== undefined && 'child' in next;
        next = this.steps.at(-1)
      ) {
        batch.push(next)
        this.steps.pop()
      }
      for (const result of await Promise.all(batch.map((s) => this.run(s)))) failed.push(...result)
    }
    return failed
  }

  private async run(step: Step): Promise<string[]> {
    if ('child' in step) return step.child.unwind()
    try {
      await step.undo()
      return []
    } catch (err) {
      this.log.warn({ err, what: step.what }, 'cleanup step failed')
      return [step.what]
    }
  }
}
