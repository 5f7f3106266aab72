import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { FanoutError } from '../../shared/errors.js'
import { needsSiteProbe } from '../core/infer-sites.js'
import type { TransferPlan } from '../core/plan.js'
import { type SiteLayout, singleSite } from '../core/sites.js'
import { layoutFromTopology, parseTopology } from '../core/topology.js'

/**
 * What is known about sites before anything connects: the `--topology` file's grouping (a bad or
 * unreadable file is a usage error, raised here, before any host is touched), else one site, to be
 * replaced by measured round-trip times when `infer` says so.
 */
export async function loadSites(
  plan: TransferPlan,
  topologyPath: string | undefined,
  cwd: string,
): Promise<{ sites: SiteLayout; infer: boolean }> {
  if (topologyPath === undefined)
    return { sites: singleSite(plan.targets.length), infer: needsSiteProbe(plan) }
  let text: string
  try {
    text = await readFile(resolve(cwd, topologyPath), 'utf8')
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message
    throw new FanoutError(
      'USAGE',
      `cannot read the topology file ${topologyPath} (${why})`,
      {},
      { cause: err },
    )
  }
  return { sites: layoutFromTopology(plan, parseTopology(text, topologyPath)), infer: false }
}
