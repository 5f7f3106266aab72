import { availableParallelism, cpus, release, totalmem } from 'node:os'
import { runCommand } from '../test/helpers/run-command.js'

/** One line per fact about where the suite ran: enough to tell two reports' machines apart. */
export async function machineLines(cli: string): Promise<string[]> {
  const commit = await runCommand(['git', '-C', import.meta.dirname, 'describe', '--always', '--dirty'])
  const version = await runCommand(['node', cli, '--version'])
  const aria2 = await runCommand(['aria2c', '--version'])
  return [
    `Machine: ${availableParallelism()} CPUs (nproc), ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB memory`,
    `Kernel ${release()}; Node.js ${process.version}; ${aria2.stdout.split('\n')[0] ?? 'aria2c ?'}`,
    `fanout ${version.stdout.trim()} at commit ${commit.stdout.trim()} (a snapshot of dist/ taken at the start)`,
  ]
}
