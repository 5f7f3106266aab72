import type { Logger } from 'pino'
import type { AgentReport } from '../../shared/messages.js'
import { placeTargets } from '../../shared/placement.js'
import { inferSites } from '../core/infer-sites.js'
import { type SiteLayout, SOURCE_SITE } from '../core/sites.js'
import type { AgentChannel } from './agent-channel.js'
import type { TargetRun } from './target-run.js'
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
 * Decides every started target's site (measuring round-trip times when asked to) and sets its
 * placement. Ranks are handed out among the targets that started only, so no share of the pieces is
 * left to a target that is not there.
 */
export async function decideSites(
  targets: readonly TargetRun[],
  trackerUrl: string | null,
  deps: SiteDeps,
): Promise<SiteLayout> {
  const layout =
    deps.inferSites && trackerUrl !== null
      ? inferSites(await measureRtts(targets, trackerUrl, deps))
      : deps.sites
  deps.log.info({ from: layout.from, labels: layout.labels, sites: layout.targets }, 'sites decided')
  const started = targets.filter((t) => t.channel !== undefined)
  const placed = placeTargets(started.map((t) => layout.targets[t.index] ?? SOURCE_SITE))
  started.forEach((target, k) => {
    const placement = placed[k]
    if (placement !== undefined) target.placement = placement
  })
  return layout
}

/**
 * Every started target measures its round-trip time to the source's tracker, all at once. Targets
 * that could not (a firewall in the way) are named in one warning and count as the source's site.
 */
async function measureRtts(
  targets: readonly TargetRun[],
  trackerUrl: string,
  deps: SiteDeps,
): Promise<(number | null)[]> {
  const url = new URL(trackerUrl)
  const address = url.hostname.replace(/^\[(.*)\]$/, '$1')
  const probe = { type: 'probe', address, port: Number(url.port), samples: PROBE_SAMPLES } as const
  const answers = await Promise.all(
    targets.map(async ({ channel }) => {
      if (channel === undefined) return undefined
      channel.send(probe)
      // A target whose agent dies here fails at its fetch with the agent's own error; no warning.
      return answerOf(channel, deps.signal).catch(() => undefined)
    }),
  )
  const unmeasured = targets.filter((_, index) => answers[index]?.ms === null).map((t) => t.endpoint.spec)
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
