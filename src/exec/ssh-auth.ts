import { readFile } from 'node:fs/promises'
import type { Logger } from 'pino'
import ssh2, { type AnyAuthMethod, type ParsedKey } from 'ssh2'
import { FanoutError } from '../../shared/errors.js'

/** What authentication needs to know; a subset of SshTarget plus the agent socket. */
export interface AuthSources {
  /** The host as the user wrote it, for the error message. */
  host: string
  user: string
  identityFiles: readonly string[]
  /** SSH_AUTH_SOCK, passed in by config; this module never reads the environment. */
  agentSocket?: string | undefined
}

/**
 * Builds the list of methods ssh2 tries in order: each readable, unencrypted identity file, then the
 * agent. ssh2's `privateKey` option takes a single key, so the list goes to `authHandler` instead.
 * Missing, unreadable and passphrase-protected keys are skipped with a debug line, as ssh does in
 * batch mode; if nothing works the server's refusal becomes SSH_AUTH.
 *
 * @throws FanoutError('SSH_AUTH') when there is nothing to try, before any connection is made.
 */
export async function loadAuthMethods(sources: AuthSources, log: Logger): Promise<AnyAuthMethod[]> {
  const methods: AnyAuthMethod[] = []
  for (const path of sources.identityFiles) {
    const key = await loadPrivateKey(path, log)
    if (key !== undefined) methods.push({ type: 'publickey', username: sources.user, key })
  }
  if (sources.agentSocket !== undefined && sources.agentSocket !== '') {
    methods.push({ type: 'agent', username: sources.user, agent: sources.agentSocket })
  }
  if (methods.length === 0) {
    const tried = sources.identityFiles.join(', ') || 'none configured'
    const message = `${sources.host}: no usable SSH key (tried: ${tried}; missing or passphrase-protected keys are skipped) and no agent`
    throw new FanoutError('SSH_AUTH', message, { host: sources.host, identityFiles: sources.identityFiles })
  }
  return methods
}

async function loadPrivateKey(path: string, log: Logger): Promise<ParsedKey | undefined> {
  let data: Buffer
  try {
    data = await readFile(path)
  } catch (err) {
    log.debug({ path, errno: (err as NodeJS.ErrnoException).code }, 'identity file not readable, skipped')
    return undefined
  }
  // Without a passphrase an encrypted key parses to an Error; we never prompt, so it is skipped.
  const parsed = ssh2.utils.parseKey(data)
  if (parsed instanceof Error) {
    log.debug({ path, reason: parsed.message }, 'identity file not usable, skipped')
    return undefined
  }
  const key = Array.isArray(parsed) ? (parsed[0] as ParsedKey | undefined) : parsed
  if (key === undefined || !key.isPrivateKey()) {
    log.debug({ path }, 'identity file holds no private key, skipped')
    return undefined
  }
  return key
}
