import SSHConfig from 'ssh-config'
import { FanoutError } from '../../shared/errors.js'
import { parseProxyJump, proxyJumpOf } from './proxy-jump.js'
import { parsePort, parseStrict, parseTimeout } from './ssh-config-values.js'
import { expandPath, type TokenValues } from './ssh-tokens.js'

/** OpenSSH's StrictHostKeyChecking. We never prompt, so 'ask' behaves like 'yes'. */
export type StrictHostKeyChecking = 'yes' | 'no' | 'accept-new' | 'ask'

/** Everything needed to open an SSH connection to one host, resolved once from config and overrides. */
export interface SshTarget {
  /** The host as the user wrote it (an alias, name or address), for messages. */
  displayName: string
  /** The name or address to connect to (the config's HostName, else the host itself). */
  hostName: string
  port: number
  user: string
  /** Private key files to try in order; they may be missing, and the executor skips those. */
  identityFiles: string[]
  strictHostKeyChecking: StrictHostKeyChecking
  /** User files first, then the global ones, as OpenSSH reads them. Missing files are fine. */
  knownHostsFiles: string[]
  connectTimeoutMs: number
  /**
   * The jump hosts (ProxyJump) to go through, first hop first, each resolved through the same config
   * as a target of its own; their own `jumpHosts` are empty. Empty for a direct connection.
   */
  jumpHosts: SshTarget[]
}

/** What the user asked for. Fields set here win over the SSH config, like `ssh -l`, `-p`, `-i`, `-o`. */
export interface SshTargetRequest {
  /** An alias from the SSH config, a host name or an address; a `user@` prefix is accepted. */
  host: string
  user?: string
  port?: number
  /** Tried before any IdentityFile from the config, like `ssh -i`. */
  identityFiles?: readonly string[]
  strictHostKeyChecking?: StrictHostKeyChecking
  /** Also the limit for each jump host, as `--connect-timeout` means per host reached. */
  connectTimeoutMs?: number
  /** An SSH client config to read. When given it must exist; the default ~/.ssh/config may be absent. */
  configPath?: string
}

/** The few facts about the local machine resolution needs, passed in so the function stays pure. */
export interface SshTargetEnv {
  homeDir: string
  localUser: string
  /** Used only to pick default identity files, as OpenSSH silently skips the missing ones. */
  fileExists: (path: string) => boolean
}

const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa']
const DEFAULT_USER_KNOWN_HOSTS = ['~/.ssh/known_hosts', '~/.ssh/known_hosts2']
const DEFAULT_GLOBAL_KNOWN_HOSTS = ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2']
/** More nested ProxyJumps than this are taken for a loop (`Host *` giving the jump host itself one). */
const MAX_JUMP_DEPTH = 8

type Computed = Record<string, string | string[]>

/**
 * Resolves how to reach `request.host` from the text of an OpenSSH client config, the way `ssh` would.
 *
 * Differences from OpenSSH, all deliberate: the user defaults to `root` rather than the local user
 * (fanout runs as root, so this only matters when it does not, and then root is still what we need
 * on the remote side); `Include` is not followed; `Match exec` is never run; ProxyCommand is
 * refused rather than silently bypassed. ProxyJump is followed as OpenSSH does: each hop is resolved
 * through the same config, and only the first hop's own ProxyJump applies (OpenSSH reaches each
 * later hop with `-J`, which overrides its config).
 *
 * @throws FanoutError('SSH_CONFIG') for values OpenSSH would reject or that we cannot honour.
 */
export function resolveSshTarget(
  request: SshTargetRequest,
  configText: string | undefined,
  env: SshTargetEnv,
): SshTarget {
  return resolveHost(request, configText, env, 0)
}

/** `depth` is how deep in nested ProxyJumps this host is; undefined when its own are overridden. */
function resolveHost(
  request: SshTargetRequest,
  configText: string | undefined,
  env: SshTargetEnv,
  depth: number | undefined,
): SshTarget {
  const { alias, user: prefixUser } = splitUserHost(request.host)
  const requestedUser = request.user ?? prefixUser
  const computed = computeConfig(configText, alias, requestedUser)
  const jump = depth === undefined ? undefined : proxyJumpOf(computed, request.host)
  const user = requestedUser ?? first(computed.user) ?? 'root'
  const port = request.port ?? parsePort(first(computed.port), request.host) ?? 22
  const base: Omit<TokenValues, 'hostName'> = {
    homeDir: env.homeDir,
    localUser: env.localUser,
    alias,
    user,
    port,
  }
  const hostName = expandPath(first(computed.hostname) ?? alias, { ...base, hostName: alias })
  const tokens: TokenValues = { ...base, hostName }
  return {
    displayName: request.host,
    hostName,
    port,
    user,
    identityFiles: identityFiles(request, computed, tokens, env),
    strictHostKeyChecking:
      request.strictHostKeyChecking ?? parseStrict(first(computed.stricthostkeychecking), request.host),
    knownHostsFiles: knownHostsFiles(computed, tokens),
    connectTimeoutMs: request.connectTimeoutMs ?? parseTimeout(first(computed.connecttimeout), request.host),
    jumpHosts: jump === undefined ? [] : resolveJumps(jump, request, configText, env, depth ?? 0),
  }
}

function resolveJumps(
  value: string,
  request: SshTargetRequest,
  configText: string | undefined,
  env: SshTargetEnv,
  depth: number,
): SshTarget[] {
  if (depth >= MAX_JUMP_DEPTH) {
    const message = `${request.host}: ProxyJump nests more than ${MAX_JUMP_DEPTH} hops deep; does a jump host get a ProxyJump through itself (Host *)?`
    throw new FanoutError('SSH_CONFIG', message, { host: request.host })
  }
  return parseProxyJump(value, request.host).flatMap((hop, i) => {
    const hopRequest: SshTargetRequest = {
      host: hop.user === undefined ? hop.host : `${hop.user}@${hop.host}`,
      ...(hop.port === undefined ? {} : { port: hop.port }),
      ...(request.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: request.connectTimeoutMs }),
    }
    const target = resolveHost(hopRequest, configText, env, i === 0 ? depth + 1 : undefined)
    return [...target.jumpHosts, { ...target, jumpHosts: [] }]
  })
}

function splitUserHost(host: string): { alias: string; user?: string } {
  const at = host.lastIndexOf('@')
  return at > 0 ? { alias: host.slice(at + 1), user: host.slice(0, at) } : { alias: host }
}

function computeConfig(text: string | undefined, alias: string, user: string | undefined): Computed {
  if (text === undefined) return {}
  try {
    const options = user === undefined ? { Host: alias } : { Host: alias, User: user }
    // matchExec: false, because resolving a target must never run commands from a config file.
    return SSHConfig.parse(text).compute(options, { ignoreCase: true, matchExec: false })
  } catch (err) {
    throw new FanoutError('SSH_CONFIG', `cannot parse the SSH config: ${String(err)}`, {}, { cause: err })
  }
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

function all(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined
  // ssh-config already splits multi-value directives and unquotes paths, so no splitting here.
  return Array.isArray(value) ? value : [value]
}

function identityFiles(
  request: SshTargetRequest,
  computed: Computed,
  tokens: TokenValues,
  env: SshTargetEnv,
): string[] {
  const configured = [...(request.identityFiles ?? []), ...(all(computed.identityfile) ?? [])]
  const paths = configured.filter((p) => p.toLowerCase() !== 'none').map((p) => expandPath(p, tokens))
  if (configured.length > 0) return dedupe(paths)
  // Like OpenSSH, default keys count only when they exist; configured ones are kept so a typo is logged.
  return DEFAULT_KEYS.map((name) => `${env.homeDir}/.ssh/${name}`).filter((p) => env.fileExists(p))
}

function knownHostsFiles(computed: Computed, tokens: TokenValues): string[] {
  const user = all(computed.userknownhostsfile) ?? DEFAULT_USER_KNOWN_HOSTS
  const global = all(computed.globalknownhostsfile) ?? DEFAULT_GLOBAL_KNOWN_HOSTS
  const files = [...user, ...global].filter((p) => p.toLowerCase() !== 'none')
  return dedupe(files.map((p) => expandPath(p, tokens)))
}

function dedupe(paths: string[]): string[] {
  return [...new Set(paths)]
}
