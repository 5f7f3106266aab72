import type { Config } from './defaults.js'
import type { Settings } from './resolve.js'
import { FIELDS, SETTINGS } from './settings.js'

/**
 * --print-config's lines: `key = value  # origin`, in the config file's syntax (seconds, bytes per
 * second), so a line can be copied into a config file, if that key is allowed there.
 */
export function describeConfig(settings: Settings): string[] {
  const rows = FIELDS.map((field) => {
    const note = settings.notes[field]
    return {
      setting: `${SETTINGS[field].key} = ${valueText(settings.config, field)}`,
      origin: `${settings.origins[field]}${note === undefined ? '' : `; ${note}`}`,
    }
  })
  const width = Math.max(...rows.map((r) => r.setting.length))
  return rows.map((r) => `${r.setting.padEnd(width)}  # ${r.origin}`)
}

function valueText(config: Readonly<Config>, field: keyof Config): string {
  const value = config[field]
  if (value === undefined || value === null) return '(none)'
  // Durations live in milliseconds but are written in seconds everywhere a person writes them.
  return field.endsWith('Ms') && typeof value === 'number' ? String(value / 1000) : String(value)
}
