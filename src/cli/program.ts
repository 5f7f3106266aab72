import { Command, Option } from 'commander'
import type { ConfigFlags } from '../config/resolve.js'
import { seconds } from '../config/resolve.js'
import { parseRate } from '../core/rate.js'
import { HELP_AFTER } from './help-text.js'

export interface CliRequest {
  source: string
  targets: string[]
  flags: ConfigFlags
}

/**
 * The command line, parsed into plain data. Every flag maps onto a Config field, so the CLI cannot
 * offer something the API does not.
 */
export function buildProgram(version: string, onRequest: (request: CliRequest) => Promise<void>): Command {
  const program = new Command('fanout')
    .usage('[options] SOURCE TARGET [TARGET ...]')
    .description(
      'Copy a file or directory tree from one host to many at once, through a private BitTorrent swarm.',
    )
    .version(version, '-V, --version')
    .argument('<source>', '[user@]host:/path or a local path: the file or directory to copy')
    .argument('<targets...>', '[user@]host:/dir or a local directory: where the copy goes (must exist)')
    .addOption(new Option('--type <type>', 'what SOURCE is: file (a file or directory tree)').default('file'))
    .addOption(sshConfigOption())
    .addOption(connectTimeoutOption())
    .addOption(
      new Option(
        '--stall-timeout <seconds>',
        'fail a target that receives nothing for this long (default 300)',
      ).argParser(seconds),
    )
    .addOption(
      new Option(
        '--bwlimit <rate>',
        "cap each host's upload and download, e.g. 100Mbit or 12M (MiB/s)",
      ).argParser(parseRate),
    )
    .addOption(
      new Option(
        '--topology <file>',
        "each host's datacenter: a file of HOST LABEL lines (default: inferred from round-trip times)",
      ),
    )
    .option('--no-encrypt', 'send the swarm in clear (default: TLS with a per-transfer key)')
    .option('--no-firewall', 'do not open per-transfer firewall holes (nftables/iptables)')
    .option('--json', 'print one JSON summary on stdout instead of the human one')
    .option('--no-progress', 'no live progress display')
    .option('-v, --verbose', 'debug logs (JSON lines) on stderr')
    .addHelpText('after', HELP_AFTER)
    .showHelpAfterError('(run fanout --help for usage)')
    .action(async (source: string, targets: string[], opts: Record<string, unknown>) => {
      await onRequest({ source, targets, flags: toFlags(opts) })
    })
  program.exitOverride()
  return program
}

function toFlags(opts: Record<string, unknown>): ConfigFlags {
  return {
    type: opts.type as ConfigFlags['type'],
    sshConfigPath: opts.sshConfig as string | undefined,
    connectTimeoutMs: opts.connectTimeout as number | undefined,
    stallTimeoutMs: opts.stallTimeout as number | undefined,
    bwlimit: opts.bwlimit as number | undefined,
    encrypt: opts.encrypt !== false,
    firewall: opts.firewall !== false,
    topologyPath: opts.topology as string | undefined,
    json: opts.json === true,
    verbose: opts.verbose === true,
    progress: opts.progress === false ? 'never' : 'auto',
  }
}

/** The SSH options every subcommand that reaches hosts shares. */
export function sshConfigOption(): Option {
  return new Option('--ssh-config <file>', 'OpenSSH client config to read (default ~/.ssh/config)')
}

export function connectTimeoutOption(): Option {
  return new Option(
    '--connect-timeout <seconds>',
    'give up on a host whose SSH handshake takes longer',
  ).argParser(seconds)
}
