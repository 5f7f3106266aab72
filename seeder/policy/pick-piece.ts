/**
 * Which new piece to ask a peer for. Pure, so the policy is testable without a swarm.
 *
 * Over a cheap link (a target in our own site) the rarest piece among our site-mates wins, which
 * spreads pieces fastest. Over an expensive link (the source, or another site) only pieces that no
 * site-mate holds are worth fetching, in our own share, so each piece crosses such a link about
 * once; another target's share only when `mayTakeOver` says its owner is gone, stuck or lagging.
 * Among the shares that may be fetched, the one this target lacks most of goes first (ours on a
 * tie): a slow owner's share is then filled alongside our own from the moment it falls behind,
 * rather than after our own is done, when it would hold everyone's last seconds.
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
  /** Another target's share piece whose owner is not going to fetch it (in time). */
  mayTakeOver(piece: number): boolean
  /** How many pieces of the piece's share this target still lacks. */
  shareLacking(piece: number): number
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
  let best = -1
  let bestRank = -1
  let ties = 0
  for (let piece = 0; piece < view.pieceCount; piece++) {
    if (!view.wanted(piece) || !view.peerHas(piece) || !worthAnExpensiveLink(view, piece)) continue
    // The share lacked most wins; our own breaks a tie (doubled, plus one).
    const rank = view.shareLacking(piece) * 2 + (view.owned(piece) ? 1 : 0)
    if (rank > bestRank) {
      best = piece
      bestRank = rank
      ties = 1
    } else if (rank === bestRank) {
      ties++
      if (opts.random() * ties < 1) best = piece
    }
  }
  return best
}

/**
 * Pieces to start together with `first`: the next ones after it that could have been picked from
 * this peer, up to `count` in all, looking no further than `window` pieces ahead. Small pieces (a
 * run with a base) would otherwise each cost a walk over every piece, and land in random order
 * across thousands of files; taken in runs they cost and behave like one large piece.
 */
export function piecesAfter(
  view: PieceView,
  first: number,
  opts: { count: number; window: number; expensive: boolean },
): number[] {
  const run: number[] = []
  const last = Math.min(view.pieceCount - 1, first + opts.window)
  for (let piece = first + 1; piece <= last && run.length < opts.count - 1; piece++) {
    if (!view.wanted(piece) || !view.peerHas(piece)) continue
    if (opts.expensive && !worthAnExpensiveLink(view, piece)) continue
    run.push(piece)
  }
  return run
}
