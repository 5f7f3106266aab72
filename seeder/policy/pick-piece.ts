/**
 * Which new piece to ask a peer for. Pure, so the policy is testable without a swarm.
 *
 * Over a cheap link (a target in our own site) the rarest piece among our site-mates wins, which
 * spreads pieces fastest. Over an expensive link (the source, or another site) only pieces that no
 * site-mate holds are worth fetching, and first those in our own share, so each piece crosses such a
 * link about once; another target's share only when `mayTakeOver` says its owner is gone or stuck.
 */
export interface PieceView {
  pieceCount: number
  /** Not held, not already being fetched, and its hash known (the source hashes while it seeds). */
  wanted(piece: number): boolean
  /** The peer on the other end has it. */
  peerHas(piece: number): boolean
  /** How many site-mates (cheap peers) hold it. */
  cheapHolders(piece: number): number
  /** In this target's own share (see Placement). */
  owned(piece: number): boolean
  /** Another target's share piece whose owner is not going to fetch it. */
  mayTakeOver(piece: number): boolean
}

export interface PickOptions {
  expensive: boolean
  /** In [0, 1); breaks ties so that peers asking at once do not all pick the same piece. */
  random: () => number
}

export function pickPiece(view: PieceView, opts: PickOptions): number {
  return opts.expensive ? pickOverExpensiveLink(view, opts) : pickRarest(view, opts.random)
}

function pickRarest(view: PieceView, random: () => number): number {
  let best = -1
  let bestHolders = Number.POSITIVE_INFINITY
  let ties = 0
  for (let piece = 0; piece < view.pieceCount; piece++) {
    if (!view.wanted(piece) || !view.peerHas(piece)) continue
    const holders = view.cheapHolders(piece)
    if (holders < bestHolders) {
      best = piece
      bestHolders = holders
      ties = 1
    } else if (holders === bestHolders) {
      // Reservoir sampling: each tied piece ends up chosen with equal chance, in one pass.
      ties++
      if (random() * ties < 1) best = piece
    }
  }
  return best
}

/** Whether fetching this piece over an expensive link is right: nobody in the site has it, and it is ours or abandoned. */
export function worthAnExpensiveLink(view: PieceView, piece: number): boolean {
  return view.cheapHolders(piece) === 0 && (view.owned(piece) || view.mayTakeOver(piece))
}

function pickOverExpensiveLink(view: PieceView, opts: PickOptions): number {
  let owned = -1
  let ownedTies = 0
  let foreign = -1
  let foreignTies = 0
  for (let piece = 0; piece < view.pieceCount; piece++) {
    if (!view.wanted(piece) || !view.peerHas(piece) || !worthAnExpensiveLink(view, piece)) continue
    if (view.owned(piece)) {
      ownedTies++
      if (opts.random() * ownedTies < 1) owned = piece
    } else {
      foreignTies++
      if (opts.random() * foreignTies < 1) foreign = piece
    }
  }
  return owned >= 0 ? owned : foreign
}
