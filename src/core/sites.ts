/**
 * Which site (datacenter) each host of a transfer is in. Peers prefer peers of their own site, and
 * each piece crosses between sites about once, so the WAN carries about one copy whatever the number
 * of targets. The source's site is always site 0.
 */
export interface SiteLayout {
  /**
   * How the grouping was decided: `single` when there was nothing to decide (one target, every
   * endpoint local, or no payload), `topology` from `--topology FILE`, `inferred` from round-trip times.
   */
  from: 'single' | 'topology' | 'inferred'
  /** One name per site; index 0 is the source's site. */
  labels: string[]
  /** The site (index into `labels`) of each target, in the order the targets were named. */
  targets: number[]
  /** For `inferred`: each target's round-trip time to the source in ms; null where it was not measured. */
  rttMs?: (number | null)[]
  /** For `topology`: the file, as the user named it. */
  file?: string
}

/** The source's site. */
export const SOURCE_SITE = 0

/** One site holding the source and every target: the layout when nothing says otherwise. */
export function singleSite(targetCount: number): SiteLayout {
  return { from: 'single', labels: ['dc1'], targets: Array.from({ length: targetCount }, () => SOURCE_SITE) }
}

/** One site as the transfer's result reports it. */
export interface SiteGroup {
  label: string
  /** Whether the source is in this site (true for the first group only). */
  source: boolean
  /** This site's targets, as written on the command line. */
  targets: string[]
  /** For inferred sites: the round-trip time of each of `targets` to the source, ms (null: unmeasured). */
  rttMs?: (number | null)[]
}

/** What the result says about sites: how they were decided and which endpoints each one holds. */
export interface SitesReport {
  from: SiteLayout['from']
  /** For `topology`: the file, as the user named it. */
  file?: string
  groups: SiteGroup[]
}

/** Turns a layout into the result's form, naming each target as the user wrote it. */
export function reportSites(layout: SiteLayout, targetSpecs: readonly string[]): SitesReport {
  const groups = layout.labels.map((label, site): SiteGroup => {
    const members = targetSpecs.flatMap((_spec, index) => (layout.targets[index] === site ? [index] : []))
    const group: SiteGroup = {
      label,
      source: site === SOURCE_SITE,
      targets: members.map((i) => targetSpecs[i] ?? ''),
    }
    if (layout.rttMs !== undefined) group.rttMs = members.map((i) => layout.rttMs?.[i] ?? null)
    return group
  })
  return { from: layout.from, ...(layout.file === undefined ? {} : { file: layout.file }), groups }
}
