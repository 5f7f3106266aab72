import { FanoutError } from '../../shared/errors.js'
import { type ConfigFile, loadConfigFiles } from './config-file.js'
import { type Config, DEFAULTS } from './defaults.js'
import { FIELDS, parseSetting, SETTINGS, type Setting } from './settings.js'

/** What the command line gave; undefined means "not given", so lower layers show through. */
export type ConfigFlags = { [K in keyof Config]?: Config[K] | undefined }

/** Where a setting's value came from, as --print-config shows it. */
export type Origin = 'default' | 'command line' | `file ${string}` | `env ${string}`

/** The resolved Config and, for --print-config, where each value came from. */
export interface Settings {
  config: Readonly<Config>
  origins: Readonly<Record<keyof Config, Origin>>
  /** Settings whose value was changed or does not apply, and why. */
  notes: Readonly<Partial<Record<keyof Config, string>>>
}

/** One source of settings, and how to name a value it gave in an error message. */
interface Layer {
  values: ConfigFlags
  origin(field: keyof Config): Origin
  where(field: keyof Config, value: unknown): string
}

/**
 * Defaults, then the environment, then flags, as the API wants them: it reads no config files.
 * `env` is the only way process.env is read, so everything below it is testable with plain data.
 */
export function resolveConfig(flags: ConfigFlags, env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  return resolveSettings({ flags, env }).config
}

/** The CLI's settings: `--config FILE` or the default config files, then the environment, then flags. */
export function loadSettings(
  request: { flags: ConfigFlags; configPath: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
): Settings {
  return resolveSettings({ flags: request.flags, files: loadConfigFiles(request.configPath, env), env })
}

/**
 * Defaults < config files (in order) < environment < flags, each layer overriding the one before,
 * then transfer.py's rules between settings. Fails with a usage error naming the culprit's source.
 */
export function resolveSettings(input: {
  flags: ConfigFlags
  files?: readonly ConfigFile[]
  env?: NodeJS.ProcessEnv
}): Settings {
  const notes: Partial<Record<keyof Config, string>> = {}
  const defaults: Layer = {
    values: DEFAULTS,
    origin: () => 'default',
    where: (f, v) => `${SETTINGS[f].key} ${v}`,
  }
  const layers = [
    ...(input.files ?? []).map(fileLayer),
    envLayer(input.env ?? process.env),
    flagLayer(input.flags, notes),
  ]
  const config: Config = { ...DEFAULTS }
  const from = Object.fromEntries(FIELDS.map((f) => [f, defaults])) as Record<keyof Config, Layer>
  for (const layer of layers) {
    for (const field of FIELDS) if (copy(config, layer.values, field)) from[field] = layer
  }
  validate(config, from)
  deriveRules(config, notes)
  const origins = Object.fromEntries(FIELDS.map((f) => [f, from[f].origin(f)])) as Settings['origins']
  return { config: Object.freeze(config), origins: Object.freeze(origins), notes: Object.freeze(notes) }
}

function copy<K extends keyof Config>(config: Config, values: ConfigFlags, field: K): boolean {
  const value = values[field]
  if (value === undefined) return false
  config[field] = value
  return true
}

function fileLayer(file: ConfigFile): Layer {
  return {
    values: file.values,
    origin: () => `file ${file.path}`,
    where: (f, v) => `${file.path}:${file.lines[f] ?? 0}: ${SETTINGS[f].key} = ${v}`,
  }
}

function envLayer(env: NodeJS.ProcessEnv): Layer {
  const values: Record<string, unknown> = {}
  for (const field of FIELDS) {
    const setting: Setting<unknown> = SETTINGS[field]
    const text = setting.env === undefined ? undefined : env[setting.env]
    // An empty variable counts as unset: `FANOUT_PORT= fanout ...` is how shells clear one for a run.
    if (text !== undefined && text !== '')
      values[field] = parseSetting(setting, text, `${setting.env}=${text}`)
  }
  return { values, origin: (f) => `env ${SETTINGS[f].env}`, where: (f, v) => `${SETTINGS[f].env}=${v}` }
}

function flagLayer(flags: ConfigFlags, notes: Partial<Record<keyof Config, string>>): Layer {
  const layer: Layer = {
    values: flags,
    origin: () => 'command line',
    where: (f, v) => `${SETTINGS[f].flag ?? SETTINGS[f].key} ${v}`,
  }
  // transfer.py: asking for the stream's checksum means "instead of the full one" unless the full
  // one is asked for too, whatever the config file says.
  if (flags.parallelChecksum !== true || flags.checksum !== undefined) return layer
  notes.checksum = 'turned off by --parallel-checksum without --checksum'
  return { ...layer, values: { ...flags, checksum: false } }
}

/**
 * Parsed text is already valid, but the API's typed flags can still carry any number or string, so
 * each value must survive a round trip through its own syntax.
 */
function validate(config: Config, from: Record<keyof Config, Layer>): void {
  const fail = (field: keyof Config, problem: string): never => {
    throw new FanoutError('USAGE', `${from[field].where(field, config[field])}: ${problem}`)
  }
  for (const field of ['type', 'transport', 'codec', 'port', 'linkWhen'] as const) {
    const setting: Setting<unknown> = SETTINGS[field]
    if (setting.syntax.parse(String(config[field])) !== config[field]) fail(field, setting.syntax.problem)
  }
  if (config.link !== undefined && SETTINGS.link.syntax.parse(config.link) !== config.link) {
    fail('link', SETTINGS.link.syntax.problem)
  }
  // An unpacked archive becomes the target directory itself: there is no name in it to point at.
  if (config.link !== undefined && config.type !== 'file') fail('link', 'only for transfer_type file')
  // A prepare of something that is not a backup cannot mean anything; silently skipping it would
  // leave an operator starting a server on a copy they believe prepared.
  if (config.prepare && config.type !== 'xtrabackup') fail('prepare', 'only for transfer_type xtrabackup')
  // A base is matched file by file; an archive or a backup arrives as one stream of bytes.
  if (config.base !== undefined && config.type !== 'file') fail('base', 'only for transfer_type file')
  if (config.base !== undefined && config.transport === 'stream') {
    fail('base', 'needs the swarm (a stream sends every byte): use --transport auto or swarm')
  }
}

/** transfer.py's rules between settings, with a note for --print-config wherever one applies. */
function deriveRules(config: Config, notes: Partial<Record<keyof Config, string>>): void {
  if (config.checksum && config.parallelChecksum) {
    config.parallelChecksum = false
    notes.parallelChecksum = 'ignored (asked for, but checksum is on)'
  }
  if (config.type !== 'xtrabackup') notes.stopSlave = `ignored: only used with transfer_type xtrabackup`
}

/**
 * Hooks for the integration tests, which drive the built CLI and have only its environment to
 * reach into a run: FANOUT_TEST_CORRUPT_STAGED=1 makes each stream target damage what it wrote, so
 * the read-back check must catch it. Not settings: never in a config file or --print-config.
 */
export function testHooks(env: NodeJS.ProcessEnv = process.env): { corruptForTest?: true } {
  return env.FANOUT_TEST_CORRUPT_STAGED === '1' ? { corruptForTest: true } : {}
}
