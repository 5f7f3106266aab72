import { readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import type { Cluster } from './cluster.js'
import { pollUntil } from './poll-until.js'

/** Every TCP byte `host` sends or receives while `during` runs, as tcpdump recorded it there. */
export async function captureWire(
  cluster: Cluster,
  host: string,
  during: () => Promise<void>,
): Promise<Buffer> {
  const namespace = cluster.hosts.find((h) => h.name === host)?.namespace
  if (namespace === undefined) throw new Error(`no host ${host} in the cluster`)
  const capture = join(tmpdir(), `fanout-capture-${cluster.id}-${host}-${process.hrtime.bigint()}.pcap`)
  const tcpdump = execa(
    'ip',
    ['netns', 'exec', namespace, 'tcpdump', '-i', 'any', '-w', capture, '-U', 'tcp'],
    {
      reject: false,
    },
  )
  try {
    await pollUntil('tcpdump writing', async () => ((await sizeOf(capture)) > 0 ? true : undefined), {
      timeoutMs: 10_000,
    })
    await during()
  } finally {
    tcpdump.kill('SIGINT')
    await tcpdump
  }
  try {
    return await readFile(capture)
  } finally {
    await rm(capture, { force: true })
  }
}

async function sizeOf(path: string): Promise<number> {
  return stat(path).then(
    (s) => s.size,
    () => 0,
  )
}
