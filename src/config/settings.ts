import { FanoutError } from '../../shared/errors.js'
import type { Config, TransferType } from './defaults.js'
import {
  BOOLEAN,
  FILE_NAME,
  oneOf,
  PATH,
  PORT,
  RATE,
  SECONDS,
  TARGET_PATH,
  type ValueSyntax,
} from './values.js'

/** How one Config field is named and written outside the code. */
export interface Setting<T> {
  /** Its name in config files (transfer.py's where it had one) and in --print-config. */
  key: string
  syntax: ValueSyntax<T>
  /** Whether config files may set it; the others are per-run or per-user choices. */
  inFile: boolean
  /** The environment variable that sets it: FANOUT_ and the key in upper case, unless it has none. */
  env: string | undefined
  /** Its command-line flag, to name it in messages about values given there. */
  flag: string | undefined
  /** A relative path in a config file is taken from the file's directory, as ssh_config's Include is. */
  isPath: boolean
}

function setting<T>(key: string, syntax: ValueSyntax<T>, more: Partial<Setting<T>> = {}): Setting<T> {
  return {
    key,
    syntax,
    inFile: true,
    env: `FANOUT_${key.toUpperCase()}`,
    flag: `--${key.replaceAll('_', '-')}`,
    isPath: syntax === PATH,
    ...more,
  }
}

/**
 * Every Config field's names and syntax. Typed by Config, so a new field without an entry here does
 * not compile, and each entry's syntax must produce that field's type.
 */
export const SETTINGS: { readonly [F in keyof Config]-?: Setting<NonNullable<Config[F]>> } = {
  type: setting('transfer_type', oneOf<TransferType>(['file', 'xtrabackup', 'decompress']), {
    flag: '--type',
  }),
  transport: setting('transport', oneOf(['auto', 'swarm', 'stream'] as const)),
  port: setting('port', PORT),
  compress: setting('compress', BOOLEAN),
  codec: setting('codec', oneOf(['gzip', 'zstd'] as const)),
  checksum: setting('checksum', BOOLEAN),
  parallelChecksum: setting('parallel_checksum', BOOLEAN),
  stopSlave: setting('stop_slave', BOOLEAN),
  prepare: setting('prepare', BOOLEAN),
  sshConfigPath: setting('ssh_config', PATH),
  connectTimeoutMs: setting('connect_timeout', SECONDS),
  stallTimeoutMs: setting('stall_timeout', SECONDS),
  agentIdleTimeoutMs: setting('agent_idle_timeout', SECONDS, { inFile: false, flag: undefined }),
  // The socket is the user's ssh-agent of the moment, so only the variable ssh-add uses sets it.
  sshAgentSocket: setting('ssh_agent_socket', PATH, { inFile: false, env: 'SSH_AUTH_SOCK', flag: undefined }),
  bwlimit: setting('bwlimit', RATE),
  encrypt: setting('encrypt', BOOLEAN),
  firewall: setting('firewall', BOOLEAN),
  topologyPath: setting('topology', PATH),
  // The previous release differs from run to run, so only the command line names it.
  base: setting('base', TARGET_PATH, { inFile: false, env: undefined }),
  link: setting('link', FILE_NAME),
  linkWhen: setting('link_when', oneOf(['each', 'all'] as const)),
  verbose: setting('verbose', BOOLEAN),
  json: setting('json', BOOLEAN, { inFile: false, env: undefined }),
  progress: setting('progress', oneOf(['auto', 'never'] as const), {
    inFile: false,
    env: undefined,
    flag: '--no-progress',
  }),
}

/** The fields in Config's order, typed (Object.keys gives plain strings). */
export const FIELDS = Object.keys(SETTINGS) as (keyof Config)[]

/** Parses one setting's text or fails with a usage error that starts with `where`, e.g. `FANOUT_PORT=x`. */
export function parseSetting<T>(setting: Setting<T>, text: string, where: string): T {
  const value = setting.syntax.parse(text)
  if (value === undefined) throw new FanoutError('USAGE', `${where}: ${setting.syntax.problem}`)
  return value
}

/** A commander argParser for a flag, with the same syntax and messages as the config file. */
export function flagParser<T>(setting: Setting<T>): (text: string) => T {
  return (text) => parseSetting(setting, text, `${setting.flag} ${text}`)
}
