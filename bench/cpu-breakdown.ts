/**
 * Where the CPU of a benchmark run goes, by CPU time rather than by wall time: `perf record -a`
 * samples every core while the command runs, and the samples of `node` processes (the agents, plus
 * the orchestrator and the bench itself, a few %) are grouped into kernel, garbage collection,
 * compilation, crypto, JavaScript and the rest, for each process's main thread and its other
 * threads (libuv's pool, V8's GC and compiler threads).
 *
 * Node's --cpu-prof samples wall time: on a machine where 17 processes share 2 cores, a function
 * that happens to be running when its process loses the core is charged for the wait, which made
 * page faults and system calls look many times their cost. perf samples only what runs.
 *
 *   npx tsx bench/cpu-breakdown.ts -- npx tsx bench/suite.ts --sections file --methods fanout --counts 8 --out /tmp/r.md
 *   npx tsx bench/cpu-breakdown.ts --data perf.data     # group an existing recording
 *
 * The recording stays in /tmp/fanout-cpu-breakdown.data (root-only), to be grouped again with --data.
 *   npx tsx bench/cpu-breakdown.ts --comm aria2c -- npx tsx bench/suite.ts --methods aria2c ...
 *
 * Needs root and perf (Debian: `apt-get install linux-perf`).
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { parseArgs } from 'node:util'

const { values, positionals } = parseArgs({
  options: {
    data: { type: 'string' },
    top: { type: 'string', default: '25' },
    // aria2c for the standard engine's runs.
    comm: { type: 'string', default: 'node' },
  },
  allowPositionals: true,
})
const data = values.data ?? '/tmp/fanout-cpu-breakdown.data'
if (values.data === undefined) {
  if (positionals.length === 0) throw new Error('give a command to run after --, or --data FILE')
  const run = spawnSync('perf', ['record', '-a', '-F', '997', '-o', data, '--', ...positionals], {
    stdio: 'inherit',
  })
  if (run.error !== undefined)
    throw new Error(`perf did not start (${run.error.message}); apt-get install linux-perf`)
}
const script = execFileSync('perf', ['script', '-i', data, '-F', 'comm,pid,tid,ip,sym,dso'], {
  encoding: 'utf8',
  maxBuffer: 1 << 30,
  stdio: ['ignore', 'pipe', 'ignore'],
})

const CATEGORIES: [string, RegExp][] = [
  ['crypto (TLS, SHA-1)', /aesni|ghash|sha1_|sha256_|chacha|poly1305/i],
  [
    'garbage collection',
    /Marking|Sweep|Scaveng|Evacuat|Compactor|MemoryChunk|SizeFromMap|IteratePointers|ShouldVisit|PointersUpdating|RememberedSet|SlotSet|MarkCompact|Worklist|BodyDescriptor|Heap::/,
  ],
  [
    'compilation (parse, TurboFan)',
    /compiler::|Compile|Parser|Scanner|Maglev|Bytecode|CalculateLineEnds|Utf16CharacterStream/,
  ],
  ['memcpy, malloc (libc)', /memmove|memcpy|memset|malloc|_int_free|cfree|realloc/],
  ['JavaScript (JIT code, builtins, ICs)', /^Builtins_|IC_|^\[JIT\]|^LazyCompile|^Function:|^JS:/],
  ['Node and libuv C++', /node::|uv_|uv__/],
]

interface Tally {
  samples: number
  byGroup: Map<string, number>
  bySymbol: Map<string, number>
}
const tally: Tally = { samples: 0, byGroup: new Map(), bySymbol: new Map() }
const byComm = new Map<string, number>()
let all = 0
const LINE = /^\s*(.+?)\s+(\d+)\/(\d+)\s+[0-9a-f]+\s+(.*?)\s+\((.*)\)\s*$/
for (const line of script.split('\n')) {
  const m = LINE.exec(line)
  if (m === null) continue
  const [, comm = '', pid, tid, sym = '', dso = ''] = m
  all++
  byComm.set(comm, (byComm.get(comm) ?? 0) + 1)
  if (comm !== values.comm) continue
  const thread = pid === tid ? 'main thread' : 'other threads'
  const group = groupOf(sym, dso)
  add(tally.byGroup, `${thread}: ${group}`)
  add(tally.bySymbol, `${thread}: ${sym || dso}`)
  tally.samples++
}

function groupOf(sym: string, dso: string): string {
  if (dso.includes('kernel')) return 'kernel (network path, file writes, page faults)'
  if (dso.startsWith('[JIT]') || dso.startsWith('/tmp/perf-')) return 'JavaScript (JIT code, builtins, ICs)'
  return CATEGORIES.find(([, re]) => re.test(sym))?.[0] ?? 'other (V8 runtime, unresolved)'
}

function add(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1)
}

function table(title: string, map: Map<string, number>, total: number, limit: number): void {
  console.log(`\n| ${title} | share |\n|---|---:|`)
  const rows = [...map].sort((a, b) => b[1] - a[1]).slice(0, limit)
  for (const [key, n] of rows)
    console.log(`| ${key.replaceAll('|', '\\|')} | ${((100 * n) / total).toFixed(1)}% |`)
}

console.log(
  `${all} samples on all cores; ${values.comm} processes ${((100 * tally.samples) / all).toFixed(1)}%`,
)
table('process (all samples)', byComm, all, 8)
table(`${values.comm} processes, by thread and kind`, tally.byGroup, tally.samples, 20)
table(`${values.comm} processes, top symbols`, tally.bySymbol, tally.samples, Number(values.top))
