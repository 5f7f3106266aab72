import type { Logger } from 'pino'
import type { Config } from '../config/defaults.js'
import type { Endpoint } from '../core/endpoint.js'
import type { Executor } from '../exec/executor.js'
import { loadSshTarget } from '../exec/load-ssh-target.js'

/**
 * Local endpoints run here directly; every other host is reached over SSH as its config says.
 * Each adapter is imported when first needed: execa alone takes 90 ms to load, ssh2 60 ms, and a
 * run's start is in front of every byte it moves.
 */
export function executorFactory(
  config: Readonly<Config>,
  log: Logger,
): (endpoint: Endpoint) => Promise<Executor> {
  return async (endpoint) => {
    if (endpoint.host === null) {
      const { LocalExecutor } = await import('../exec/local.js')
      return new LocalExecutor()
    }
    const { SshExecutor } = await import('../exec/ssh.js')
    const target = await loadSshTarget({
      host: endpoint.host,
      ...(endpoint.user === undefined ? {} : { user: endpoint.user }),
      ...(config.sshConfigPath === undefined ? {} : { configPath: config.sshConfigPath }),
      connectTimeoutMs: config.connectTimeoutMs,
    })
    return new SshExecutor(target, {
      log: log.child({ host: endpoint.host }),
      agentSocket: config.sshAgentSocket,
    })
  }
}
