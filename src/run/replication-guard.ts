import type { Logger } from 'pino'
import type { BackupOrder } from '../../shared/messages.js'
import type { Endpoint } from '../core/endpoint.js'
import type { AgentChannel } from './agent-channel.js'
import type { CleanupStack } from './cleanup-stack.js'
import type { HostPool } from './host-pool.js'

/**
 * --stop-slave's promise, kept even when the source's agent cannot keep it (killed, its host's
 * link cut while the backup ran): replication that the agent reported stopped and never reported
 * started again is started by the orchestrator during cleanup, over SSH, with the host's own client.
 * Call before the source's agent starts, so that this step unwinds after the agent is stopped (an
 * agent still running its backup must not see replication restarted under it); the returned
 * function then watches the agent's channel.
 */
export function guardReplication(
  source: Endpoint,
  backup: BackupOrder | null,
  deps: { pool: HostPool; cleanup: CleanupStack; log: Logger },
): (channel: AgentChannel) => void {
  if (backup === null || !backup.stopSlave) return () => {}
  let stopped = false
  deps.cleanup.defer(`start replication on ${source.spec} if the agent left it stopped`, async () => {
    if (!stopped) return
    deps.log.warn({ source: source.spec }, 'the agent left replication stopped; starting it')
    const exec = await deps.pool.get(source)
    const result = await exec.run([
      'mariadb',
      `--socket=${backup.socket}`,
      '--connect-timeout=10',
      '-e',
      'START SLAVE',
    ])
    if (result.exitCode !== 0) throw new Error(`START SLAVE failed: ${result.stderr.trim()}`)
    stopped = false
  })
  return (channel) => {
    channel.on('report', (report) => {
      if (report.type === 'replication') stopped = report.stopped
    })
  }
}
