/**
 * Where each target sits in the swarm. Targets in one site (datacenter) share a cheap network; the
 * links to the source and to other sites are the expensive ones. Each target owns a share of the
 * pieces (those with `index % siteSize === rank`) and is the one that fetches them over an expensive
 * link; its site-mates then get them from it. So the source, and each WAN link, carries each piece
 * about once whatever the number of targets.
 */
export interface Placement {
  /** Index into the transfer's list of sites; the source's site is whatever the plan says. */
  site: number
  /** This target's position among the targets of its site, 0-based. */
  rank: number
  /** How many targets the site has. */
  siteSize: number
}

/** Gives each target its rank inside its site, in the order the targets were named. */
export function placeTargets(targetSites: readonly number[]): Placement[] {
  const sizes = new Map<number, number>()
  for (const site of targetSites) sizes.set(site, (sizes.get(site) ?? 0) + 1)
  const next = new Map<number, number>()
  return targetSites.map((site) => {
    const rank = next.get(site) ?? 0
    next.set(site, rank + 1)
    return { site, rank, siteSize: sizes.get(site) ?? 1 }
  })
}

/** True when `piece` is in the share this target fetches over expensive links. */
export function ownsPiece(placement: Placement, piece: number): boolean {
  return piece % placement.siteSize === placement.rank
}
