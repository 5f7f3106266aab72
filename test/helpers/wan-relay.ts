import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runOrThrow } from './run-command.js'

/**
 * Compiles wan-delay.c (the relay that delays frames between two sites, since this kernel has no
 * netem) into a new temporary directory; the caller removes that directory (`dirname` of the result).
 */
export async function buildRelay(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fanout-wan-relay-'))
  const binary = join(dir, 'wan-delay')
  const source = join(import.meta.dirname, 'wan-delay.c')
  await runOrThrow(['gcc', '-O2', '-Wall', '-pthread', '-o', binary, source])
  return binary
}
