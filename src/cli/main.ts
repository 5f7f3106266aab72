#!/usr/bin/env node
import { packageVersion } from './package-version.js'
import { runCli } from './run-cli.js'

// The first SIGINT/SIGTERM starts an orderly stop (agents stopped, hosts cleaned); later ones are
// ignored so that the cleanup is not cut short.
const interrupted = new AbortController()
const onSignal = (signal: NodeJS.Signals) => {
  if (!interrupted.signal.aborted) process.stderr.write(`\nfanout: ${signal}: stopping and cleaning up…\n`)
  interrupted.abort()
}
process.on('SIGINT', onSignal)
process.on('SIGTERM', onSignal)

process.exitCode = await runCli({
  argv: process.argv.slice(2),
  stdout: process.stdout,
  stderr: process.stderr,
  version: packageVersion(),
  signal: interrupted.signal,
})
