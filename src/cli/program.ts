import { Command, Option } from 'commander'
import { FanoutError } from '../../shared/errors.js'
import type { Config } from '../config/defaults.js'
import type { ConfigFlags } from '../config/resolve.js'
import { flagParser, SETTINGS, type Setting } from '../config/settings.js'
import { HELP_AFTER } from './help-text.js'

/** A parsed command line: show the settings, or copy SOURCE into the TARGETs. */
export type CliRequest = {
  flags: ConfigFlags
  /** `--config FILE`: read this file instead of the default ones. */
  configPath: string | undefined
  /** `--targets FILE`: more targets, after the command line's; read for a transfer only. */
  targetsPath: string | undefined
} & ({ action: 'print-config' } | { action: 'transfer'; source: string; targets: string[] })

/**
 * The command line, parsed into plain data. Every flag maps onto a Config field, so the CLI cannot
 * offer something the API does not. No option has a commander default: a flag not given must stay
 * undefined, or it would hide what the config files and the environment say.
 */
export function buildProgram(version: string, onRequest: (request: CliRequest) => Promise<void>): Command {
  const program = new Command('fanout')
    .usage('[options] SOURCE TARGET [TARGET ...]')
    .description(
      'Copy a file or directory tree from one host to many at once, through a private BitTorrent swarm; to one target, as one encrypted stream.',
    )
    .version(version, '-V, --version')
    // Optional for commander so that --print-config works alone; toRequest insists on them otherwise.
    .argument('[source]', '[user@]host:/path or a local path: the file or directory to copy')
    .argument('[targets...]', '[user@]host:/dir or a local directory: where the copy goes (must exist)')
    .option('--config <file>', 'read settings from FILE instead of the default config files (see FILES)')
    .option('--print-config', 'print every setting, its value and where it came from; touch no host')
    .option(
      '--targets <file>',
      'more targets from FILE, one "[user@]host:/dir [SITE]" per line (see DESCRIPTION)',
    )
  addTransferOptions(program)
  addConnectionOptions(program)
  program
    .option('--json', 'print one JSON summary on stdout instead of the human one')
    .option('--no-progress', 'no live progress display')
    .option('-v, --verbose', 'debug logs (JSON lines) on stderr (default off)')
    .addHelpText('after', HELP_AFTER)
    .showHelpAfterError('(run fanout --help for usage)')
    .action(
      async (source: string | undefined, targets: string[] | undefined, opts: Record<string, unknown>) => {
        await onRequest(toRequest(source, targets ?? [], opts))
      },
    )
  program.exitOverride()
  return program
}

/** What is sent and how: transfer.py's options, with its names. */
function addTransferOptions(program: Command): void {
  program
    .addOption(
      choiceOption(
        '--type <type>',
        SETTINGS.type,
        "what SOURCE is: file (default) a file or tree; xtrabackup a server's socket (hot backup) or an xbstream; decompress a tarball of one directory",
      ),
    )
    .addOption(
      choiceOption(
        '--transport <transport>',
        SETTINGS.transport,
        'auto (default): a stream to one target, the swarm to several',
      ),
    )
    .addOption(
      new Option('--port <n>', "the stream's port on each target (default 0: a free one)").argParser(
        flagParser(SETTINGS.port),
      ),
    )
  pair(program, 'compress', 'compress the stream (default; the swarm never compresses)', 'send it as it is')
  program.addOption(
    choiceOption('--codec <codec>', SETTINGS.codec, "the stream's compression (default gzip)"),
  )
  pair(program, 'checksum', "check every landed byte on the target's disk (default)", 'skip that check')
  pair(
    program,
    'parallel-checksum',
    'check the bytes in flight only; turns --checksum off unless it is given (default off)',
    'no check of the bytes in flight',
  )
  program.option('--stop-slave', 'STOP SLAVE on an xtrabackup source during the copy (default off)')
  pair(
    program,
    'prepare',
    'xtrabackup: mariadb-backup --prepare each copy, owned like its directory (default off)',
    'land the backup as it was taken',
  )
  pair(
    program,
    'encrypt',
    'encrypt the swarm or stream: TLS with a per-transfer key (default)',
    'send it in clear',
  )
  program
    .addOption(
      new Option(
        '--base <dir>',
        'on each target, a directory (often the previous release) to copy unchanged files from; absolute or relative to the target directory',
      ).argParser(flagParser(SETTINGS.base)),
    )
    .addOption(
      new Option(
        '--link <name>',
        'point the symlink NAME in each target directory at the new copy once it landed (atomic switch)',
      ).argParser(flagParser(SETTINGS.link)),
    )
    .addOption(
      choiceOption(
        '--link-when <when>',
        SETTINGS.linkWhen,
        'each (default): switch every target whose copy landed; all: only if every target landed',
      ),
    )
  pair(
    program,
    'firewall',
    'open per-transfer firewall holes, nftables or iptables (default)',
    'leave firewalls alone',
  )
}

function addConnectionOptions(program: Command): void {
  program
    .addOption(sshConfigOption())
    .addOption(connectTimeoutOption())
    .addOption(
      new Option(
        '--stall-timeout <seconds>',
        'fail a target that receives nothing for this long (default 300)',
      ).argParser(flagParser(SETTINGS.stallTimeoutMs)),
    )
    .addOption(
      new Option(
        '--bwlimit <rate>',
        "cap each host's upload and download, e.g. 100Mbit or 12M (MiB/s) (default none)",
      ).argParser(flagParser(SETTINGS.bwlimit)),
    )
    .addOption(
      new Option(
        '--topology <file>',
        "each host's datacenter: a file of HOST LABEL lines (default: inferred from round-trip times)",
      ),
    )
}

/** `--x` and `--no-x`, the positive first so that commander gives neither a default. */
function pair(program: Command, name: string, on: string, off: string): void {
  program.option(`--${name}`, on).option(`--no-${name}`, off)
}

function choiceOption(flags: string, setting: Setting<string>, description: string): Option {
  return new Option(flags, description).choices(setting.syntax.choices ?? [])
}

function toRequest(source: string | undefined, targets: string[], opts: Record<string, unknown>): CliRequest {
  const targetsPath = opts.targets as string | undefined
  const common = { flags: toFlags(opts), configPath: opts.config as string | undefined, targetsPath }
  if (opts.printConfig === true) return { ...common, action: 'print-config' }
  // With --targets FILE, no TARGET is needed on the command line.
  const noTarget = targets.length === 0 && targetsPath === undefined
  if (source === undefined || noTarget) {
    const missing = [source === undefined ? 'SOURCE' : '', noTarget ? 'TARGET' : ''].filter((w) => w !== '')
    throw new FanoutError('USAGE', `missing ${missing.join(' and ')} (run fanout --help for usage)`)
  }
  return { ...common, action: 'transfer', source, targets }
}

/** Every field, so a new Config field without a flag (or a reason for none) does not compile. */
function toFlags(opts: Record<string, unknown>): { [K in keyof Config]-?: Config[K] | undefined } {
  return {
    type: opts.type as Config['type'] | undefined,
    transport: opts.transport as Config['transport'] | undefined,
    port: opts.port as number | undefined,
    compress: opts.compress as boolean | undefined,
    codec: opts.codec as Config['codec'] | undefined,
    checksum: opts.checksum as boolean | undefined,
    parallelChecksum: opts.parallelChecksum as boolean | undefined,
    stopSlave: opts.stopSlave as boolean | undefined,
    prepare: opts.prepare as boolean | undefined,
    sshConfigPath: opts.sshConfig as string | undefined,
    connectTimeoutMs: opts.connectTimeout as number | undefined,
    stallTimeoutMs: opts.stallTimeout as number | undefined,
    // Set per user or per session, not per run: FANOUT_AGENT_IDLE_TIMEOUT and SSH_AUTH_SOCK only.
    agentIdleTimeoutMs: undefined,
    sshAgentSocket: undefined,
    bwlimit: opts.bwlimit as number | undefined,
    encrypt: opts.encrypt as boolean | undefined,
    firewall: opts.firewall as boolean | undefined,
    topologyPath: opts.topology as string | undefined,
    base: opts.base as string | undefined,
    link: opts.link as string | undefined,
    linkWhen: opts.linkWhen as Config['linkWhen'] | undefined,
    verbose: opts.verbose as boolean | undefined,
    json: opts.json as boolean | undefined,
    // A lone --no-x gets commander's default true, which here means "not given".
    progress: opts.progress === false ? 'never' : undefined,
  }
}

/** The SSH options every subcommand that reaches hosts shares. */
export function sshConfigOption(): Option {
  return new Option('--ssh-config <file>', 'OpenSSH client config to read (default ~/.ssh/config)')
}

export function connectTimeoutOption(): Option {
  return new Option(
    '--connect-timeout <seconds>',
    'give up on a host (or a jump host) whose SSH handshake takes longer (default 15)',
  ).argParser(flagParser(SETTINGS.connectTimeoutMs))
}
