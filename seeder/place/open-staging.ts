import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Logger } from 'pino'
import type { AgentCommand } from '../../shared/messages.js'
import type { Report } from '../control/report.js'
import { lockStaging } from '../store/staging-lock.js'
import { fillFromBase } from './fill-from-base.js'

type FetchCommand = Extract<AgentCommand, { type: 'fetch' }>

export interface OpenedStaging {
  stagingDir: string
  /** Some pieces may already be in the staging copy: check each against its hash before fetching it. */
  checkHeld: boolean
  unlock: () => Promise<void>
}

/**
 * Takes the staging copy for this run: locked first (another run of the same payload may be writing
 * it), made or found from an interrupted run, and filled from the base when there is one.
 */
export async function openStaging(
  command: FetchCommand,
  report: Report,
  log: Logger,
): Promise<OpenedStaging> {
  const stagingDir = join(command.targetDir, command.stagingName)
  const unlock = await lockStaging(command.targetDir, command.stagingName)
  try {
    const resumed = await makeStagingDir(stagingDir, log)
    if (command.base === undefined) return { stagingDir, checkHeld: resumed, unlock }
    const taken = await fillFromBase(command.manifest, command.base, join(stagingDir, command.manifest.name))
    report({ type: 'fromBase', ...taken })
    log.info({ base: command.base, ...taken }, 'filled the staging copy from the base')
    return { stagingDir, checkHeld: resumed || taken.files > 0, unlock }
  } catch (err) {
    await unlock()
    throw err
  }
}

/** Makes the staging directory; true when an earlier run left one to resume from. */
function makeStagingDir(stagingDir: string, log: Logger): Promise<boolean> {
  return mkdir(stagingDir, { mode: 0o700 }).then(
    () => false,
    (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err
      log.info({ stagingDir }, 'resuming from an earlier staging copy')
      return true
    },
  )
}
