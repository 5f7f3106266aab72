import { Command } from 'commander'
import type { ConfigFlags } from '../config/resolve.js'
import { CLEANUP_HELP_AFTER } from './cleanup-help-text.js'
import { connectTimeoutOption, sshConfigOption } from './program.js'

/** A parsed `fanout cleanup` command line. */
export interface CleanupRequest {
  /** `HOST` or `HOST:/dir` operands. */
  hosts: string[]
  flags: ConfigFlags
  /** `--config FILE` given before `cleanup`: read instead of the default config files. */
  configPath: string | undefined
}

/**
 * Adds `fanout cleanup HOST[:/dir]...` to the program. Call it after the program's output is
 * configured: the subcommand copies the program's output, exit and help settings when it is added.
 * Positional options are turned on, so options after `cleanup` are the subcommand's own; options
 * before it (`fanout --ssh-config F cleanup h1`) still count, through `optsWithGlobals()`. A transfer
 * whose source is literally named `cleanup` is written `./cleanup`.
 */
export function addCleanupCommand(
  program: Command,
  onRequest: (request: CleanupRequest) => Promise<void>,
): void {
  program.enablePositionalOptions()
  const command = new Command('cleanup')
    .copyInheritedSettings(program)
    .usage('[options] HOST[:/dir] [HOST[:/dir] ...]')
    .summary('remove what a lost run left on hosts')
    .description(
      'Remove what an interrupted or lost run left on hosts: firewall holes, agent processes, shipped agents, and the staging directories and temporary links in each /dir named.',
    )
    .argument('<hosts...>', '[user@]host (or localhost), optionally :/dir to clean staging directories in')
    .addOption(sshConfigOption())
    .addOption(connectTimeoutOption())
    .option('--json', 'print one JSON report on stdout instead of one line per thing removed')
    .option('-v, --verbose', 'debug logs (JSON lines) on stderr')
    .addHelpText('after', CLEANUP_HELP_AFTER)
    .action(async (hosts: string[], _opts: unknown, self: Command) => {
      const opts = self.optsWithGlobals()
      await onRequest({ hosts, flags: toFlags(opts), configPath: opts.config as string | undefined })
    })
  program.addCommand(command)
}

function toFlags(opts: Record<string, unknown>): ConfigFlags {
  return {
    sshConfigPath: opts.sshConfig as string | undefined,
    connectTimeoutMs: opts.connectTimeout as number | undefined,
    // Undefined when not given, so a config file's `verbose` shows through.
    json: opts.json === true ? true : undefined,
    verbose: opts.verbose === true ? true : undefined,
  }
}
