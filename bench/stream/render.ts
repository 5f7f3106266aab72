import type { StreamParams } from './options.js'
import type { SectionReport } from './section-report.js'

/** Where and how the run happened, for the top of the report. */
export interface StreamRunInfo {
  command: string
  date: string
  machine: string[]
  seconds: number
}

/** The markdown report: how it was made, the goals met or not, then one part per section. */
export function renderStreamReport(
  info: StreamRunInfo,
  params: StreamParams,
  sections: readonly SectionReport[],
): string {
  const rounds =
    params.rounds > 1
      ? `Every method ran ${params.rounds} times, the order reversed each round so noise hits all alike; tables show the median (an even count: the mean of the middle two) and the range (min–max).`
      : 'Every method ran once.'
  return [
    "# fanout's stream transport: one target, against tar | nc",
    '',
    `Command: \`${info.command}\``,
    '',
    `Date: ${info.date}; the run took ${(info.seconds / 60).toFixed(1)} min.`,
    '',
    ...info.machine.map((line) => `${line}  `),
    '',
    'Two hosts (h0 source, h1 target) of the virtual cluster (`test/helpers/cluster.ts`): network namespaces ' +
      'with their own sshd and tmpfs /srv, on one bridge, shaped with tc where a section says so. ' +
      "They all share the machine's cores, and other tests may run on the machine at the same time: each section " +
      "notes the load average and any other virtual clusters present. fanout's time is its whole CLI run (SSH, " +
      "shipping the agents, transfer, checks, cleanup); tar|nc's is from starting the listener to the receiving tar " +
      "exiting (`bench/methods/pipes.ts`). Every copy is checked against the source's sha256 afterwards, untimed.",
    '',
    rounds,
    '',
    '## Goals',
    '',
    ...sections.flatMap((s) => s.goals),
    '',
    ...sections.flatMap((s) => [`## ${s.title}`, '', ...s.lines, '']),
  ].join('\n')
}
