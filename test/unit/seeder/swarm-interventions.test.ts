import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { BUNDLE_INTERVENTIONS, RUNTIME_INTERVENTIONS } from '../../../seeder/swarm/interventions.js'

/** The registry of changes to webtorrent is only useful if it is whole and points at real things. */
const ROOT = join(import.meta.dirname, '..', '..', '..')
const ALL = [...RUNTIME_INTERVENTIONS, ...BUNDLE_INTERVENTIONS]
const codeFiles = (code: string) => code.split(', ')

describe('the register of interventions in webtorrent', () => {
  test('names are unique', () => {
    expect(new Set(ALL.map((i) => i.name)).size).toBe(ALL.length)
  })

  test.each(ALL.map((i) => [i.name, i] as const))('%s: its code and its guarding test exist', (_name, i) => {
    for (const file of codeFiles(i.code)) expect(existsSync(join(ROOT, file)), file).toBe(true)
    const guard = join(ROOT, i.guard.file)
    expect(existsSync(guard), i.guard.file).toBe(true)
    expect(readFileSync(guard, 'utf8'), `${i.guard.file} has no test "${i.guard.test}"`).toContain(
      i.guard.test,
    )
  })

  test('runtime ones have no bundle half, bundle ones have one', () => {
    expect(RUNTIME_INTERVENTIONS.filter((i) => i.bundle !== undefined)).toEqual([])
    expect(BUNDLE_INTERVENTIONS.filter((i) => i.bundle === undefined)).toEqual([])
  })

  test('every module of the swarm room that reaches into webtorrent is registered', () => {
    const registered = new Set(ALL.flatMap((i) => codeFiles(i.code)))
    const reaching = readdirSync(join(ROOT, 'seeder/swarm'))
      .filter((name) => name.endsWith('.ts') && name !== 'webtorrent-internals.ts')
      .map((name) => `seeder/swarm/${name}`)
      .filter((file) =>
        /webtorrent-internals\.js'|from 'webtorrent\/lib\//.test(readFileSync(join(ROOT, file), 'utf8')),
      )
    expect(reaching.length).toBeGreaterThan(5)
    expect(reaching.filter((file) => !registered.has(file))).toEqual([])
  })
})
