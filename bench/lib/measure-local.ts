import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { execa } from 'execa'

const CLI = join(import.meta.dirname, '..', '..', 'dist', 'fanout.mjs')

/** A role's cost: peak RSS in bytes, CPU in seconds. */
export interface Cost {
  rss: number
  cpu: number
}

export interface Measured {
  seconds: number
  source?: Cost
  /** The largest among the targets, each figure on its own. */
  target?: Cost
  /** The CLI process alone (the orchestrator), without its agents. */
  cliRss?: number
}

interface Usage {
  role: 'source' | 'target'
  maxRssBytes: number
  cpuSeconds: number
}

/** Runs the built CLI with `--json`; its agents' usage from the summary, its own peak from /proc. */
export async function runCli(args: readonly string[]): Promise<Measured> {
  const started = performance.now()
  const child = spawn(process.execPath, [CLI, '--json', '--no-progress', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
  let cliRss = 0
  // VmHWM is the process's own peak so far; read until it exits, the last reading is the peak.
  const poll = setInterval(() => {
    readFile(`/proc/${child.pid}/status`, 'utf8').then(
      (status) => {
        const kib = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0)
        cliRss = Math.max(cliRss, kib * 1024)
      },
      () => {},
    )
  }, 100)
  const code = await exited
  clearInterval(poll)
  const seconds = (performance.now() - started) / 1000
  if (code !== 0) throw new Error(`fanout ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`)
  const usage = (JSON.parse(stdout) as { usage: Usage[] }).usage
  return { seconds, cliRss, ...roleCost(usage, 'source'), ...roleCost(usage, 'target') }
}

function roleCost(usage: readonly Usage[], role: Usage['role']): Partial<Measured> {
  const ofRole = usage.filter((u) => u.role === role)
  if (ofRole.length === 0) return {}
  const cost = {
    rss: Math.max(...ofRole.map((u) => u.maxRssBytes)),
    cpu: Math.max(...ofRole.map((u) => u.cpuSeconds)),
  }
  return { [role]: cost }
}

/** `tar cf - -C parent name | tar xf - -C target`, each tar under GNU time. */
export async function runTarPipe(parent: string, name: string, target: string): Promise<Measured> {
  const timed = (label: string) => `/usr/bin/time -f '${label} %M %U %S'`
  const script = `${timed('source')} tar cf - -C "$1" "$2" | ${timed('target')} tar xf - -C "$3"`
  const started = performance.now()
  const result = await execa('sh', ['-c', script, 'sh', parent, name, target], { reject: false })
  const seconds = (performance.now() - started) / 1000
  if (result.exitCode !== 0) throw new Error(`tar | tar failed: ${result.stderr}`)
  const cost = (label: string): Cost | undefined => {
    const match = new RegExp(`^${label} (\\d+) ([\\d.]+) ([\\d.]+)$`, 'm').exec(result.stderr)
    if (match === null) return undefined
    return { rss: Number(match[1]) * 1024, cpu: Number(match[2]) + Number(match[3]) }
  }
  const source = cost('source')
  const targetCost = cost('target')
  return {
    seconds,
    ...(source === undefined ? {} : { source }),
    ...(targetCost === undefined ? {} : { target: targetCost }),
  }
}
