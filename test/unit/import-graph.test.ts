import { readdirSync, readFileSync } from 'node:fs'
import { join, posix } from 'node:path'
import { describe, expect, test } from 'vitest'

/**
 * The plan of the house, enforced: the orchestrator (src/), the agent (seeder/) and the tracker
 * (tracker/) meet only in shared/, which imports none of them. The agent starts the tracker through
 * its one entry point. test/ never imports bench/; bench/ borrows only test/helpers/.
 */
const ROOT = join(import.meta.dirname, '..', '..')

type Rule = (from: string, to: string) => string | undefined

const RULES: Rule[] = [
  (from, to) =>
    top(from) === 'shared' && ['src', 'seeder', 'tracker'].includes(top(to))
      ? 'shared/ imports neither side'
      : undefined,
  (from, to) =>
    top(from) === 'tracker' && ['src', 'seeder'].includes(top(to))
      ? 'tracker/ depends on shared/ only'
      : undefined,
  (from, to) =>
    top(from) === 'src' && ['seeder', 'tracker'].includes(top(to))
      ? 'src/ is the orchestrator alone'
      : undefined,
  (from, to) =>
    top(from) === 'seeder' && (top(to) === 'src' || (top(to) === 'tracker' && to !== TRACKER_ENTRY))
      ? `the agent reaches the tracker through ${TRACKER_ENTRY} only`
      : undefined,
  (from, to) => (top(from) === 'test' && top(to) === 'bench' ? 'tests never import bench code' : undefined),
  (from, to) =>
    top(from) === 'bench' && top(to) === 'test' && !to.startsWith('test/helpers/')
      ? 'bench/ shares test/helpers/ only'
      : undefined,
]

const TRACKER_ENTRY = 'tracker/server.ts'

function top(path: string): string {
  return path.split('/')[0] ?? ''
}

/** Every relative import of a source file, as repository paths of .ts files. */
function importsOf(file: string, text: string): string[] {
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map(
    (m) => m[1] ?? '',
  )
  return specifiers.map((spec) => posix.join(posix.dirname(file), spec).replace(/\.js$/, '.ts'))
}

function violations(edges: readonly [string, string][]): string[] {
  return edges.flatMap(([from, to]) =>
    RULES.flatMap((rule) => {
      const broken = rule(from, to)
      return broken === undefined ? [] : [`${from} -> ${to}: ${broken}`]
    }),
  )
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => posix.join(dir, name.split('\\').join('/')))
}

function repositoryEdges(): [string, string][] {
  return ['src', 'shared', 'seeder', 'tracker', 'test', 'bench'].flatMap((dir) =>
    sourceFiles(dir).flatMap((file) =>
      importsOf(file, readFileSync(join(ROOT, file), 'utf8')).map((to): [string, string] => [file, to]),
    ),
  )
}

describe('the import graph', () => {
  test.each([
    ['shared/messages.ts', 'seeder/policy/served-blocks.ts'],
    ['tracker/server.ts', 'seeder/roles/seed-source.ts'],
    ['src/run/start-agent.ts', 'seeder/main.ts'],
    ['src/run/start-agent.ts', 'tracker/server.ts'],
    ['seeder/roles/seed-source.ts', 'tracker/select-peers.ts'],
    ['seeder/roles/seed-source.ts', 'src/core/plan.ts'],
    ['test/integration/x.test.ts', 'bench/wan.ts'],
    ['bench/suite.ts', 'test/unit/x.test.ts'],
  ])('refuses %s -> %s', (from, to) => {
    expect(violations([[from, to]])).toHaveLength(1)
  })

  test.each([
    ['seeder/swarm/join-swarm.ts', 'tracker/server.ts'],
    ['seeder/roles/seed-source.ts', 'shared/messages.ts'],
    ['tracker/server.ts', 'shared/swarm-keys.ts'],
    ['src/run/start-agent.ts', 'shared/firewall/firewall.ts'],
    ['bench/suite.ts', 'test/helpers/cluster.ts'],
    ['test/unit/x.test.ts', 'seeder/policy/pick-piece.ts'],
  ])('allows %s -> %s', (from, to) => {
    expect(violations([[from, to]])).toEqual([])
  })

  test('the repository keeps every rule', () => {
    const edges = repositoryEdges()
    // The scan must see the code, or an empty graph would pass.
    expect(edges.length).toBeGreaterThan(300)
    expect(edges).toContainEqual(['seeder/swarm/join-swarm.ts', TRACKER_ENTRY])
    expect(violations(edges)).toEqual([])
  })

  test('dynamic and type-only imports count too', () => {
    const text = "import type { A } from '../seeder/a.js'\nconst b = await import('../src/b.js')"
    expect(importsOf('shared/x.ts', text)).toEqual(['seeder/a.ts', 'src/b.ts'])
  })
})
