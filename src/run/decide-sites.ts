import type { Logger } from 'pino'
import type { AgentReport } from '../../shared/messages.js'
import { type Placement, placeTargets } from '../../shared/placement.js'
import { inferSites } from '../core/infer-sites.js'
import type { TransferPlan } from '../core/plan.js'
import type { SiteLayout } from '../core/sites.js'
import type { AgentChannel } from './agent-channel.js'
import type { TransferState } from './transfer-state.js'

type Rtt = Extract<AgentReport, { type: 'rtt' }>

/** Handshakes per probe; the smallest counts. */
const PROBE_SAMPLES = 5
/** The agent gives up on its own after a few seconds per handshake; this only guards a silent channel. */
const PROBE_TIMEOUT_MS = 20_000

export interface SiteDeps {
  state: TransferState
  log: Logger
  signal: AbortSignal
  /** What was known before anything connected: from `--topology`, or one site. */
  sites: SiteLayout
  /** Measure round-trip times to infer the sites (no `--topology`, several targets, not all local). */
  inferSites: boolean
}

/**
 * Decides every started target's site (measuring round-trip times when asked to) and its placement.
 * Ranks are handed out among the targets that started only, so no share of the pieces is left to a
 * target that is not there. `started[i]` is undefined for a target that failed to start.
 */
export async function decideSites(
  plan: TransferPlan,
  started: readonly (AgentChannel | undefined)[],
  trackerUrl: string | null,
  deps: SiteDeps,
): Promise<{ layout: SiteLayout; placements: (Placement | undefined)[] }> {
  const layout =
    deps.inferSites && trackerUrl !== null
      ? inferSites(await measureRtts(plan, started, trackerUrl, deps))
      : deps.sites
  deps.log.info({ from: layout.from, labels: layout.labels, sites: layout.targets }, 'sites decided')
  const live = layout.targets.flatMap((site, index) =>
    started[index] === undefined ? [] : [{ site, index }],
  )
  const placed = placeTargets(live.map((t) => t.site))
  const placements: (Placement | undefined)[] = layout.targets.map(() => undefined)
  live.forEach((t, k) => {
    placements[t.index] = placed[k]
  })
  return { layout, placements }
}

/**
 * Every started target measures its round-trip time to the source's tracker, all at once. Targets
 * that could not (a firewall in the way) are named in one warning and count as the source's site.
 */
async function measureRtts(
  plan: TransferPlan,
  started: readonly (AgentChannel | undefined)[],
  trackerUrl: string,
  deps: SiteDeps,
): Promise<(number | null)[]> {
  const url = new URL(trackerUrl)
  const address = url.hostname.replace(/^\[(.*)\]$/, '$1')
  const probe = { type: 'probe', address, port: Number(url.port), samples: PROBE_SAMPLES } as const
  const answers = await Promise.all(
    started.map(async (channel) => {
      if (channel === undefined) return undefined
      channel.send(probe)
      // A target whose agent dies here fails at its fetch with the agent's own error; no warning.
      return answerOf(channel, deps.signal).catch(() => undefined)
    }),
  )
  const unmeasured = answers.flatMap((a, index) => (a?.ms === null ? [plan.targets[index]?.spec] : []))
  const reason = answers.find((a) => a?.ms === null)?.reason
  if (unmeasured.length > 0) {
    deps.state.warnings.push(
      `could not measure the round-trip time to the source from ${unmeasured.join(', ')} (${reason}); counted in the source's site`,
    )
  }
  return answers.map((a) => a?.ms ?? null)
}

async function answerOf(channel: AgentChannel, signal: AbortSignal): Promise<Rtt> {
  let timer: NodeJS.Timeout | undefined
  const silent = new Promise<Rtt>((resolve) => {
    timer = setTimeout(
      () => resolve({ type: 'rtt', ms: null, reason: `no answer within ${PROBE_TIMEOUT_MS / 1000} s` }),
      PROBE_TIMEOUT_MS,
    )
  })
  try {
    return await Promise.race([channel.next('rtt', signal), silent])
  } finally {
    clearTimeout(timer)
  }
}
