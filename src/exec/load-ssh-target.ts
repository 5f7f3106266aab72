import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { homedir, userInfo } from 'node:os'
import { FanoutError } from '../../shared/errors.js'
import { resolveSshTarget, type SshTarget, type SshTargetEnv, type SshTargetRequest } from './ssh-target.js'

/**
 * Reads the SSH client config and resolves `request` against it. An explicit `configPath` that cannot
 * be read is an error; the default `~/.ssh/config` may be absent, as for `ssh`.
 *
 * @param env overrides for the local facts, mainly for tests; by default the current user's.
 * @throws FanoutError('SSH_CONFIG')
 */
export async function loadSshTarget(
  request: SshTargetRequest,
  env: Partial<SshTargetEnv> = {},
): Promise<SshTarget> {
  const fullEnv: SshTargetEnv = {
    homeDir: env.homeDir ?? homedir(),
    localUser: env.localUser ?? userInfo().username,
    fileExists: env.fileExists ?? existsSync,
  }
  const text = await readConfig(request.configPath, `${fullEnv.homeDir}/.ssh/config`)
  return resolveSshTarget(request, text, fullEnv)
}

async function readConfig(
  explicitPath: string | undefined,
  defaultPath: string,
): Promise<string | undefined> {
  const path = explicitPath ?? defaultPath
  try {
    return await readFile(path, 'utf8')
  } catch (err) {
    if (explicitPath === undefined && (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    const reason = (err as NodeJS.ErrnoException).code ?? String(err)
    throw new FanoutError(
      'SSH_CONFIG',
      `cannot read SSH config ${path} (${reason})`,
      { path },
      { cause: err },
    )
  }
}
