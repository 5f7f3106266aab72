import pino from 'pino'
import { executorFactory } from '../api/create-executor.js'
import { loadSettings } from '../config/resolve.js'
import { cleanupHosts, type HostCleanupReport } from '../run/cleanup-hosts.js'
import type { CleanupRequest } from './cleanup-command.js'
import type { CliIo } from './cli-io.js'
import { EXIT } from './exit-code.js'

/** Runs `fanout cleanup`, prints what was removed per host; 0 if every host is clean, 1 otherwise. */
export async function runCleanup(request: CleanupRequest, io: CliIo): Promise<number> {
  // The same config files as a transfer: the ssh_config that reached the hosts reaches them again.
  const { config } = loadSettings(request)
  const log = pino(
    { level: config.verbose ? 'debug' : 'silent', redact: ['*.privateKey', '*.passphrase'] },
    pino.destination(2),
  )
  const reports = await cleanupHosts({
    specs: request.hosts,
    cwd: process.cwd(),
    createExecutor: executorFactory(config, log),
    log,
    signal: io.signal,
  })
  const ok = reports.every((r) => r.errors.length === 0)
  for (const r of reports) for (const error of r.errors) io.stderr.write(`fanout: ${r.host}: ${error}\n`)
  if (config.json)
    io.stdout.write(`${JSON.stringify({ outcome: ok ? 'ok' : 'failed', hosts: reports }, null, 2)}\n`)
  else for (const line of cleanupLines(reports)) io.stdout.write(`${line}\n`)
  return ok ? EXIT.ok : EXIT.failed
}

/** One line per thing removed, `HOST: nothing to clean` for a clean host; errors go to stderr. */
export function cleanupLines(reports: readonly HostCleanupReport[]): string[] {
  return reports.flatMap((r) => {
    if (r.removed.length > 0) return r.removed.map((what) => `${r.host}: ${what}`)
    return r.errors.length === 0 ? [`${r.host}: nothing to clean`] : []
  })
}
