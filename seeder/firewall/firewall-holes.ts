import { once } from 'node:events'
import type { Logger } from 'pino'
import type WebTorrent from 'webtorrent'
import { closeOpenedHoles, openHoles } from '../../shared/firewall/firewall.js'
import type { FirewallPlan } from '../../shared/messages.js'
import type { Report } from '../control/report.js'
import { localRunner } from './local-run.js'

export type CloseHoles = () => Promise<void>

/**
 * Holes this agent opened and has not closed yet. One agent serves one transfer, so a process-wide
 * count is the whole truth: the agent's last report says whether it is zero, and only then does the
 * orchestrator skip closing them again (an SSH round trip per command, ~0.2 s per host on a LAN).
 */
let holesOpen = 0

/** True when every hole this agent opened has been closed again. */
export function allHolesClosed(): boolean {
  return holesOpen === 0
}

/**
 * Opens this host's holes for the transfer: the ports this agent bound (its peer listener and, on
 * the source, the tracker), from the participants only. Returns how to close them, which the agent
 * does however it ends; the orchestrator closes them again unless the agent said it did.
 */
export async function openFirewall(
  transferId: string,
  ports: readonly number[],
  plan: FirewallPlan | null,
  log: Logger,
  report: Report,
): Promise<CloseHoles> {
  if (plan === null) return async () => {}
  const run = localRunner()
  const holes = await openHoles(run, { transferId, ports, participants: plan.participants })
  if (holes.kind === 'none') {
    report({
      type: 'warning',
      message: 'neither nft nor iptables is installed: no firewall holes were opened',
    })
    return async () => {}
  }
  holesOpen++
  log.info({ kind: holes.kind, name: holes.name, ports }, 'firewall holes opened')
  let closed = false
  return async () => {
    if (closed) return
    await closeOpenedHoles(run, holes)
    closed = true
    holesOpen--
    log.info({ name: holes.name }, 'firewall holes closed')
  }
}

/** The port webtorrent's peer listener bound (0 asked the kernel for a free one). */
export async function peerPort(client: WebTorrent): Promise<number> {
  const listening = client as unknown as { listening: boolean; torrentPort: number }
  if (!listening.listening) await once(client, 'listening')
  return listening.torrentPort
}
