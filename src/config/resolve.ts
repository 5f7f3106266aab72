import { FanoutError } from '../../shared/errors.js'
import { type Config, DEFAULTS, type TransferType } from './defaults.js'

/** What the command line gave; undefined means "not given", so lower layers show through. */
export type ConfigFlags = { [K in keyof Config]?: Config[K] | undefined }

const TYPES: readonly TransferType[] = ['file']

/**
 * Defaults, then the environment, then flags; each layer overrides the one before. The only place
 * that reads process.env (through `env`), so everything below it is testable with plain data.
 */
export function resolveConfig(flags: ConfigFlags, env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const fromEnv: ConfigFlags = {
    sshConfigPath: env.FANOUT_SSH_CONFIG,
    sshAgentSocket: env.SSH_AUTH_SOCK,
    stallTimeoutMs: env.FANOUT_STALL_TIMEOUT === undefined ? undefined : seconds(env.FANOUT_STALL_TIMEOUT),
    agentIdleTimeoutMs:
      env.FANOUT_AGENT_IDLE_TIMEOUT === undefined ? undefined : seconds(env.FANOUT_AGENT_IDLE_TIMEOUT),
  }
  const config: Config = { ...DEFAULTS }
  for (const layer of [fromEnv, flags]) {
    for (const [key, value] of Object.entries(layer)) {
      if (value !== undefined) (config as unknown as Record<string, unknown>)[key] = value
    }
  }
  if (!TYPES.includes(config.type)) {
    throw new FanoutError(
      'USAGE',
      `--type ${config.type} is not supported yet (supported: ${TYPES.join(', ')})`,
    )
  }
  return Object.freeze(config)
}

/** Parses a positive number of seconds into milliseconds, or fails with a usage error. */
export function seconds(text: string): number {
  const value = Number(text)
  if (!Number.isFinite(value) || value <= 0)
    throw new FanoutError('USAGE', `not a positive number of seconds: ${text}`)
  return Math.max(1, Math.round(value * 1000))
}
