import pino from 'pino'
import { isFanoutError } from '../../shared/errors.js'
import { startTransfer } from '../api/transfer.js'
import { describeConfig } from '../config/describe-config.js'
import { loadSettings, testHooks } from '../config/resolve.js'
import type { TransferResult } from '../run/run-transfer.js'
import { addCleanupCommand } from './cleanup-command.js'
import type { CliIo } from './cli-io.js'
import { EXIT, exitCodeFor } from './exit-code.js'
import { buildProgram, type CliRequest } from './program.js'
import { createProgressDisplay } from './progress-display.js'
import { readTargets } from './read-targets.js'
import { runCleanup } from './run-cleanup.js'
import { problemLines, summaryLines } from './summary.js'

/** Parses argv, runs the transfer, prints the outcome; returns the exit status. */
export async function runCli(io: CliIo): Promise<number> {
  let status: number = EXIT.ok
  const program = buildProgram(io.version, async (request) => {
    status = await execute(request, io)
  })
  program.configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
  // `fanout cleanup HOST[:/dir]...`: added after configureOutput, whose settings it copies.
  addCleanupCommand(program, async (request) => {
    status = await runCleanup(request, io)
  })
  try {
    await program.parseAsync([...io.argv], { from: 'user' })
  } catch (err) {
    return reportStartError(err, io)
  }
  return status
}

async function execute(request: CliRequest, io: CliIo): Promise<number> {
  const settings = loadSettings(request)
  if (request.action === 'print-config') {
    for (const line of describeConfig(settings)) io.stdout.write(`${line}\n`)
    return EXIT.ok
  }
  const { config } = settings
  const targets = await readTargets(request.targets, request.targetsPath, process.cwd())
  const log = pino(
    { level: config.verbose ? 'debug' : 'silent', redact: ['*.privateKey', '*.passphrase'] },
    pino.destination(2),
  )
  const display = config.progress === 'never' || config.json ? undefined : createProgressDisplay(io.stderr)
  const run = startTransfer({ source: request.source, targets, cwd: process.cwd() }, config, {
    log,
    signal: io.signal,
    ...testHooks(),
  })
  run.on('progress', (snapshot) => display?.update(snapshot))
  const result = await run
  display?.finish()
  printResult(result, config.json, io)
  return exitCodeFor(result)
}

function printResult(result: TransferResult, json: boolean, io: CliIo): void {
  for (const line of problemLines(result)) io.stderr.write(`${line}\n`)
  if (json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
  else for (const line of summaryLines(result)) io.stdout.write(`${line}\n`)
}

/** Known errors print one line; commander's own exits keep their status; anything else is a bug. */
function reportStartError(err: unknown, io: CliIo): number {
  const commanderCode = (err as { code?: string }).code
  if (commanderCode === 'commander.helpDisplayed' || commanderCode === 'commander.version') return EXIT.ok
  if (typeof commanderCode === 'string' && commanderCode.startsWith('commander.')) return EXIT.usage
  if (isFanoutError(err)) {
    io.stderr.write(`fanout: ${err.message}\n`)
    return err.code === 'USAGE' ? EXIT.usage : EXIT.failed
  }
  io.stderr.write(`fanout: internal error: ${(err as Error).stack ?? String(err)}\n`)
  return EXIT.failed
}
