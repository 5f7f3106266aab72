import { join } from 'node:path'
import { execa } from 'execa'
import type { Cluster } from './cluster.js'

export const CLI = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'main.js')

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
  const [file = '', ...rest] = cluster.adminArgv([
    'node',
    CLI,
    '--ssh-config',
    cluster.sshConfigPath,
    ...args,
  ])
  const result = await execa(file, rest, { reject: false, timeout: timeoutMs, stdin: 'ignore' })
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr }
}

/** Everything fanout could leave on a host: processes of ours, shipped agents, staging directories. */
export async function leftoversOn(cluster: Cluster, host: string, targetDir = '/srv'): Promise<string[]> {
  const processes = (await cluster.processes(host)).map((p) => `process ${p.pid}: ${p.cmdline}`)
  const staging = await cluster.exec(host, ['find', targetDir, '-maxdepth', '1', '-name', '.fanout-*'])
  const agents = await cluster.exec(host, [
    'sh',
    '-c',
    'ls -d "${TMPDIR:-/tmp}"/fanout-agent.* 2>/dev/null || true',
  ])
  return [...processes, ...lines(staging.stdout), ...lines(agents.stdout)]
}

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '')
}
