import type { Logger } from 'pino'
import type { Config } from '../config/defaults.js'
import type { Endpoint } from '../core/endpoint.js'
import type { Executor } from '../exec/executor.js'
import { loadSshTarget } from '../exec/load-ssh-target.js'
import { LocalExecutor } from '../exec/local.js'
import { SshExecutor } from '../exec/ssh.js'

/** Local endpoints run here directly; every other host is reached over SSH as its config says. */
export function executorFactory(
  config: Readonly<Config>,
  log: Logger,
): (endpoint: Endpoint) => Promise<Executor> {
  return async (endpoint) => {
    if (endpoint.host === null) return new LocalExecutor()
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
