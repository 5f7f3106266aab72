import { type Cluster, createCluster, type HostSpec } from '../cluster.js'
import { netnsInode, processesInNetns } from '../netns-processes.js'
import type { BedLayout, BedState, HostState } from './soak-facts.js'

/** The soak's cluster with its payload, and what its hosts held before the first run. */
export interface SoakBed {
  cluster: Cluster
  layout: BedLayout
  payloadBytes: number
  /** sha256 of the source's payload. */
  digest: string
  baseline: BedState
  /** The CLI's --stall-timeout, seconds. */
  stallTimeoutS: number
}

/** Seconds an agent waits without a ping before it leaves (FANOUT_AGENT_IDLE_TIMEOUT). */
export const IDLE_TIMEOUT_S = 6
/** --stall-timeout by default: a stopped or cut-off target fails after this long, so the run ends. */
export const STALL_TIMEOUT_S = 10
/** Each host's TMPDIR, on its own /srv: the machine's /tmp is shared by every host of the bed. */
export const HOST_TMP = '/srv/tmp'
const MBIT = 48
/** One target receives at half the rate, so the others land well before it (a window for losing the source). */
const SLOW_DOWNLOAD_MBIT = 24
/** The pre-flight asks for the payload + 2% + 64 MiB free; a little more than that. */
const TARGET_DISK_MIB = 112

/** The bed in a sentence, for the report. */
export function describeBed(payloadMiB: number, stallTimeoutS: number): string {
  return `Bed: source h0 and 4 targets h1-h4 on one bridge (network namespaces, sshd per host, tmpfs /srv), every link shaped to ${MBIT} Mbit/s, h4 receiving at ${SLOW_DOWNLOAD_MBIT}; a ${payloadMiB} MiB random file; \`fanout --json --no-progress --stall-timeout ${stallTimeoutS} --connect-timeout 5\` with \`FANOUT_AGENT_IDLE_TIMEOUT=${IDLE_TIMEOUT_S}\`. One fault per run; between runs \`fanout cleanup\` of every host and the copies removed, so each run starts from the same state.`
}

/** Builds the cluster and the payload; destroys the cluster again if that fails. */
export async function createSoakBed(payloadMiB: number, stallTimeoutS = STALL_TIMEOUT_S): Promise<SoakBed> {
  const layout: BedLayout = { source: 'h0', targets: ['h1', 'h2', 'h3', 'h4'], dir: '/srv', name: 'payload' }
  const cluster = await createCluster(hostSpecs(layout))
  try {
    for (const host of [layout.source, ...layout.targets])
      await mustRun(cluster, host, ['mkdir', '-m', '1777', HOST_TMP])
    const path = `${layout.dir}/${layout.name}`
    await mustRun(cluster, layout.source, ['sh', '-c', `head -c ${payloadMiB << 20} /dev/urandom > ${path}`])
    const digest = await fileDigest(cluster, layout.source, path)
    if (digest === undefined) throw new Error('the payload could not be read back')
    const baseline = await bedState(cluster, layout)
    return { cluster, layout, payloadBytes: payloadMiB << 20, digest, baseline, stallTimeoutS }
  } catch (err) {
    await cluster.destroy()
    throw err
  }
}

function hostSpecs(layout: BedLayout): HostSpec[] {
  const last = layout.targets.at(-1)
  return [
    { name: layout.source, diskMiB: 64, rateMbit: MBIT, tmpDir: HOST_TMP },
    ...layout.targets.map((name) => ({
      name,
      diskMiB: TARGET_DISK_MIB,
      rateMbit: MBIT,
      tmpDir: HOST_TMP,
      ...(name === last ? { downloadMbit: SLOW_DOWNLOAD_MBIT } : {}),
    })),
  ]
}

/** Every host's state, and the admin namespace's (where the CLI runs) as `admin`. */
export async function bedState(cluster: Cluster, layout: BedLayout): Promise<BedState> {
  const hosts = [layout.source, ...layout.targets]
  const states = await Promise.all(hosts.map((host) => hostState(cluster, host)))
  const state: BedState = Object.fromEntries(hosts.map((host, i) => [host, states[i] as HostState]))
  state.admin = await adminState(cluster)
  return state
}

/** Processes first: the commands that list files run in the host's namespace and would be listed. */
async function hostState(cluster: Cluster, host: string): Promise<HostState> {
  const processes = (await cluster.processes(host)).map((p) => p.cmdline).sort()
  const srv = await lines(cluster, host, ['ls', '-A', '/srv'])
  const tmp = await lines(cluster, host, ['ls', '-A', HOST_TMP])
  const ruleset = (await cluster.exec(host, ['nft', 'list', 'ruleset'])).stdout
  return { processes, srv, tmp, ruleset }
}

async function adminState(cluster: Cluster): Promise<HostState> {
  const inode = await netnsInode(cluster.adminNamespace)
  const found = inode === undefined ? [] : await processesInNetns(inode)
  const processes = inode === undefined ? ['(admin namespace gone)'] : found.map((p) => p.cmdline).sort()
  // The CLI opens no firewall holes on the machine it runs on, and has no /srv there.
  return { processes, srv: [], tmp: [], ruleset: '' }
}

async function lines(cluster: Cluster, host: string, argv: string[]): Promise<string[]> {
  const result = await cluster.exec(host, argv)
  return result.stdout
    .split('\n')
    .filter((l) => l !== '')
    .sort()
}

/** sha256 of a file on a host, or undefined if it cannot be read. */
export async function fileDigest(cluster: Cluster, host: string, path: string): Promise<string | undefined> {
  const result = await cluster.exec(host, ['sha256sum', path])
  return result.exitCode === 0 ? result.stdout.split(' ')[0] : undefined
}

async function mustRun(cluster: Cluster, host: string, argv: string[]): Promise<void> {
  const result = await cluster.exec(host, argv)
  if (result.exitCode !== 0) throw new Error(`${host}: ${argv.join(' ')} failed: ${result.stderr}`)
}
