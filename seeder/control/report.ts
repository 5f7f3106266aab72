import { type AgentReport, encodeMessage } from '../../shared/messages.js'

export type Report = (report: AgentReport) => void

/** Writes reports as JSON lines. A closed stdout means the orchestrator is gone; the caller hears of it. */
export function createReporter(out: NodeJS.WritableStream): Report {
  return (report) => {
    out.write(encodeMessage(report))
  }
}

/** Calls `tick` every `ms` until the returned function is called. */
export function every(ms: number, tick: () => void): () => void {
  const timer = setInterval(tick, ms)
  timer.unref()
  return () => clearInterval(timer)
}
