import { join } from 'node:path'
import { execa } from 'execa'
import type { Cluster } from './cluster.js'
import { pollUntil } from './poll-until.js'

/** The CLI as package.json's bin runs it: the bundle `npm run build` makes. */
export const CLI = join(import.meta.dirname, '..', '..', 'dist', 'fanout.mjs')

export interface FanoutRun {
  exitCode: number
  stdout: string
  stderr: string
}

/** Runs the built CLI in the cluster's admin namespace, as an operator on an admin host would. */
export async function runFanout(
  cluster: Cluster,
  args: readonly string[],
  timeoutMs = 180_000,
): Promise<FanoutRun> {
  const result = await startFanout(cluster, args, { timeoutMs })
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr }
}

/** Starts the CLI without waiting for it, for tests that interrupt or kill it mid-transfer. */
export function startFanout(
  cluster: Cluster,
  args: readonly string[],
  opts: { timeoutMs?: number; env?: Record<string, string> } = {},
) {
  const [file = '', ...rest] = cluster.adminArgv([
    'node',
    CLI,
    '--ssh-config',
    cluster.sshConfigPath,
    ...args,
  ])
  return execa(file, rest, {
    reject: false,
    stdin: 'ignore',
    timeout: opts.timeoutMs ?? 180_000,
    env: opts.env ?? {},
  })
}

/** Bytes in the host's staging directories under /srv: how far a target's download has come. */
export async function stagedBytes(cluster: Cluster, host: string): Promise<number> {
  const result = await cluster.exec(host, ['sh', '-c', 'du -sb /srv/.fanout-* 2>/dev/null | cut -f1'])
  return Number(result.stdout.trim().split('\n')[0] || 0)
}

/** Waits until a target has received more than `bytes`, i.e. the swarm is moving data to it. */
export async function waitForStagedBytes(cluster: Cluster, host: string, bytes: number): Promise<void> {
  const moving = async () => ((await stagedBytes(cluster, host)) > bytes ? true : undefined)
  await pollUntil(`data arriving on ${host}`, moving, { timeoutMs: 60_000, intervalMs: 50 })
}

/** Everything fanout could leave on a host: processes, shipped agents, staging dirs, firewall tables. */
export async function leftoversOn(cluster: Cluster, host: string, targetDir = '/srv'): Promise<string[]> {
  const processes = (await cluster.processes(host)).map((p) => `process ${p.pid}: ${p.cmdline}`)
  const staging = await cluster.exec(host, ['find', targetDir, '-maxdepth', '1', '-name', '.fanout-*'])
  const agents = await cluster.exec(host, [
    'sh',
    '-c',
    'ls -d "${TMPDIR:-/tmp}"/fanout-agent.* 2>/dev/null || true',
  ])
  const tables = await cluster.exec(host, ['nft', 'list', 'tables'])
  const holes = lines(tables.stdout).filter((line) => line.includes('fanout_'))
  return [...processes, ...lines(staging.stdout), ...lines(agents.stdout), ...holes]
}

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '')
}
