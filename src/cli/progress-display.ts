import type { ProgressSnapshot } from '../core/progress.js'
import { renderLive, renderPlain } from './render-progress.js'

const LIVE_EVERY_MS = 200
const PLAIN_EVERY_MS = 10_000

export interface ProgressDisplay {
  update(snapshot: ProgressSnapshot): void
  /** Draws the final state and leaves the cursor below it. */
  finish(): void
}

/**
 * On a terminal, one block of lines redrawn in place; elsewhere (CI logs, cron mail) a plain line
 * every ten seconds, so logs stay readable.
 */
export function createProgressDisplay(
  out: NodeJS.WriteStream,
  now: () => number = Date.now,
): ProgressDisplay {
  const live = out.isTTY === true
  let drawnLines = 0
  // A plain line only after the first interval: a run that fails its checks at once prints none.
  let lastDraw = live ? 0 : now()
  let latest: ProgressSnapshot | undefined
  const draw = () => {
    if (latest === undefined) return
    if (live) {
      const lines = renderLive(latest, out.columns || 100)
      const rewind = drawnLines > 0 ? `\x1b[${drawnLines}F` : ''
      out.write(`${rewind}${lines.map((l) => `\x1b[2K${l}`).join('\n')}\n`)
      drawnLines = lines.length
    } else {
      out.write(`${renderPlain(latest)}\n`)
    }
    lastDraw = now()
  }
  return {
    update(snapshot) {
      latest = snapshot
      if (now() - lastDraw >= (live ? LIVE_EVERY_MS : PLAIN_EVERY_MS)) draw()
    },
    finish() {
      if (live) draw()
    },
  }
}
