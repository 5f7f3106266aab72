import type { Torrent } from 'webtorrent'
import { readPeerId } from '../../shared/peer-id.js'
import { ownsPiece, type Placement } from '../../shared/placement.js'
import { HolderCounts } from '../policy/holder-counts.js'
import type { KnownHashes } from '../policy/known-hashes.js'
import { mayRequestMore } from '../policy/memory-budget.js'
import { OwnerLiveness } from '../policy/owner-liveness.js'
import { type PieceView, pickPiece, piecesAfter, worthAnExpensiveLink } from '../policy/pick-piece.js'
import { PIPELINE_MAX_SECONDS, PIPELINE_MIN_SECONDS, pipelineLength } from '../policy/pipeline.js'
import { ShareLag } from '../policy/share-lag.js'
import { TokenBucket } from '../policy/token-bucket.js'
import type { WriteBacklog } from '../store/write-backlog.js'
import { BLOCK_LENGTH, requestLength } from './block-length.js'
import type { TorrentInternals, WireInternals } from './webtorrent-internals.js'

/**
 * Replaces webtorrent's request scheduling (Torrent#_updateWire) for a target.
 *
 * Measured on webtorrent 2.8.5: its rarest-first rescans every piece for every block it requests,
 * and again for each piece it cannot reserve, on every wire after every block received; that took
 * 60% of a target's CPU. And it has no notion of which links are expensive, so with N targets the
 * source sent each piece several times. This scheduler keeps a per-site availability count up to
 * date from have/bitfield messages, finishes the pieces it has started before opening new ones, and
 * picks new ones with seeder/policy/pick-piece.ts. It relies on webtorrent internals that are pinned with
 * the version (package.json pins webtorrent exactly; interventions.ts lists every such change).
 */

/**
 * A site-mate that has gained no piece for this long (or never connected in this long) is taken to
 * be gone or stuck, and others fetch its share over expensive links.
 */
const OWNER_STALL_MS = 10_000
/** Stalled owners are noticed with time alone, and no message would wake the wires for that. */
const TICK_MS = 1_000
/**
 * A connection that has delivered no block for this long while our requests wait on it is to a peer
 * that is stopped or cut off: it is closed, which releases the blocks reserved on it. Until then
 * they stay reserved (webtorrent's own request timeout is 30 s, longer than a short
 * --stall-timeout), and a target whose last pieces were asked of that peer waited for them.
 */
const UNANSWERED_MS = 5_000
/**
 * Under --bwlimit: the most requests sent in one go, in seconds at the cap, and how often to refill.
 * A burst of B seconds lets any window of T seconds carry up to (T + B) / T of the cap, so 0.2 s
 * allowed 10% over in 2 s; 0.1 s is two refills, enough that a late timer loses no budget (at one
 * refill, 0.05 s, the mean fell to 0.93x the cap).
 */
/**
 * Pieces smaller than this (a run with a base) are started in runs of this many bytes: see
 * piecesAfter. Whole-copy pieces are at least this large, so they go one at a time as before.
 */
const RUN_BYTES = 1 << 20

const BUDGET_SECONDS = 0.1
const BUDGET_TICK_MS = 50

/**
 * @param downloadLimit bytes per second this target may receive (--bwlimit), or null. Requests are
 *   paced to it; webtorrent's own throttle on reads stays as a backstop.
 * @param backlog what the target's store has yet to write; no wire requests more while it is over
 *   budget, and each finished write updates the wires again (webtorrent does, after every put).
 * @param pieces count and length from the parsed torrent: scheduling starts before webtorrent has
 *   set up `pieces` and `pieceLength`.
 * @param known the pieces whose hashes have arrived: only those are asked for. Call `wake` when more
 *   arrive.
 */
export function schedulePieces(
  torrent: Torrent,
  pieces: { count: number; length: number },
  placement: Placement,
  downloadLimit: number | null,
  backlog: WriteBacklog,
  known: KnownHashes,
): { wake(): void } {
  const internals = torrent as unknown as TorrentInternals
  const budget =
    downloadLimit === null
      ? null
      : new TokenBucket(downloadLimit, Math.max(2 * BLOCK_LENGTH, downloadLimit * BUDGET_SECONDS))
  const scheduler = new PieceScheduler(internals, pieces, placement, budget, backlog, known)
  internals._updateWire = (wire) => scheduler.update(wire)
  internals.on('verified', (piece) => scheduler.gained(piece))
  internals.on('wire', (wire) => scheduler.addWire(wire))
  for (const wire of internals.wires) scheduler.addWire(wire)
  const tick = setInterval(
    () => {
      scheduler.refreshLiveness()
      internals._update()
    },
    budget === null ? TICK_MS : BUDGET_TICK_MS,
  )
  tick.unref()
  torrent.once('done', () => clearInterval(tick))
  torrent.once('close', () => clearInterval(tick))
  return {
    wake: () => {
      scheduler.somethingNew()
      if (!internals.destroyed) internals._update()
    },
  }
}

class PieceScheduler {
  private readonly cheapHolders: HolderCounts
  /** Pieces with at least one block requested and not yet verified. */
  private readonly started = new Set<number>()
  /** Bumped whenever what site-mates hold changes; a wire found to have nothing new is skipped until then. */
  private epoch = 0
  private readonly exhaustedAt = new WeakMap<WireInternals, number>()
  private readonly expensive = new WeakSet<WireInternals>()
  /** When the owner of each share, by rank, last gained a piece. */
  private readonly owners = new OwnerLiveness(Date.now(), OWNER_STALL_MS)
  private readonly shares: ShareLag
  /** Bytes one request asks for: a block, or a whole piece when pieces are smaller than a block. */
  private readonly requestLength: number
  /** How many pieces each connected site-mate, by rank, holds: refreshed every tick. */
  private readonly mateHeld = new Map<number, number>()
  /** Per connection, its bytes received when last looked at, and since when it has not grown. */
  private readonly lastBlock = new WeakMap<WireInternals, { bytes: number; at: number }>()

  constructor(
    private readonly torrent: TorrentInternals,
    { count: pieceCount, length: pieceLength }: { count: number; length: number },
    private readonly placement: Placement,
    private readonly budget: TokenBucket | null,
    private readonly backlog: WriteBacklog,
    private readonly known: KnownHashes,
  ) {
    this.cheapHolders = new HolderCounts(pieceCount)
    this.shares = new ShareLag(placement, pieceCount, pieceLength)
    this.requestLength = requestLength(pieceLength)
  }

  /** Requests to keep in flight on `wire`: `seconds` at its rate, in requests of this torrent's size. */
  private pipeline(wire: WireInternals, seconds: number): number {
    const { reqq } = wire.peerExtendedHandshake ?? {}
    return pipelineLength(wire.downloadSpeed(), seconds, this.requestLength, reqq)
  }

  /**
   * This target verified a piece: a slow site-mate's share may now lag behind ours. Only picks over
   * expensive links depend on that, and those are never cached as exhausted: no epoch to bump.
   */
  gained(piece: number): void {
    this.shares.gained(piece)
  }

  /** Wires found to have nothing we could ask for are looked at again. */
  somethingNew(): void {
    this.epoch++
  }

  addWire(wire: WireInternals): void {
    if (wire.destroyed) return
    const peer = wire.peerId === null ? null : readPeerId(wire.peerId)
    const cheap = peer !== null && peer.role === 'target' && peer.site === this.placement.site
    this.epoch++
    if (!cheap) {
      // Never cached as exhausted (see update), so what it holds need not be followed.
      this.expensive.add(wire)
      return
    }
    const mate = this.cheapHolders.addMate(peer.rank)
    const heard = () => {
      if (this.owners.heard(mate.rank, mate.heldPieces, Date.now())) mate.setLive(true)
      this.epoch++
    }
    const recount = () => {
      for (let piece = 0; piece < this.cheapHolders.pieceCount; piece++)
        mate.setHas(piece, wire.peerPieces.get(piece))
      heard()
    }
    wire.on('bitfield', recount)
    wire.on('have-all', recount)
    wire.on('have', (piece: number) => {
      mate.setHas(piece, true)
      heard()
    })
    wire.once('close', () => {
      mate.remove()
      this.epoch++
    })
    recount()
  }

  /**
   * A site-mate that has gained no piece for OWNER_STALL_MS and does not hold them all may be cut off
   * without its connection noticing (TCP can take many minutes): what it holds stops counting, so
   * that its share, once taken over, may come over an expensive link. A complete mate stays
   * counted; if it is cut off, requests to it time out and its connection closes.
   */
  refreshLiveness(): void {
    const now = Date.now()
    this.mateHeld.clear()
    for (const mate of this.cheapHolders.mates()) {
      if (mate.setLive(mate.complete || !this.owners.stalled(mate.rank, now))) this.epoch++
      this.mateHeld.set(mate.rank, Math.max(mate.heldPieces, this.mateHeld.get(mate.rank) ?? 0))
    }
    this.closeUnanswered(now)
  }

  /** Closes connections on which requests have waited UNANSWERED_MS without a block arriving. */
  private closeUnanswered(now: number): void {
    for (const wire of this.torrent.wires) {
      if (wire.destroyed) continue
      const seen = this.lastBlock.get(wire)
      if (wire.requests.length === 0 || seen === undefined || wire.downloaded !== seen.bytes) {
        this.lastBlock.set(wire, { bytes: wire.downloaded, at: now })
      } else if (now - seen.at >= UNANSWERED_MS) {
        wire.destroy()
      }
    }
  }

  update(wire: WireInternals): void {
    if (wire.destroyed || wire.peerChoking) return
    if (!mayRequestMore(this.backlog.bytes, this.torrent.pieceLength)) return
    if (wire.requests.length >= this.pipeline(wire, PIPELINE_MIN_SECONDS)) return
    const max = this.pipeline(wire, PIPELINE_MAX_SECONDS)
    const expensive = this.expensive.has(wire)
    const view = this.view(wire)
    if (this.continueStarted(wire, max, expensive ? view : null)) return
    while (wire.requests.length < max) {
      if (this.exhaustedAt.get(wire) === this.epoch) return
      const piece = pickPiece(view, { expensive, random: Math.random })
      if (piece < 0) {
        // Over an expensive link, a stalled owner's share opens up with time alone: never cached.
        if (!expensive) this.exhaustedAt.set(wire, this.epoch)
        return
      }
      const runLength = Math.max(1, Math.floor(RUN_BYTES / this.torrent.pieceLength))
      const window = runLength * this.placement.siteSize
      for (const next of [piece, ...piecesAfter(view, piece, { count: runLength, window, expensive })]) {
        if (wire.requests.length >= max) break
        this.started.add(next)
        this.fill(wire, next, max)
      }
    }
  }

  /**
   * Finishing pieces before opening new ones gets each one verified, and shareable, sooner. Over an
   * expensive link (`expensive` given) only pieces it could have picked: the blocks of a piece that
   * a site-mate is serving must not be topped up from the source.
   */
  private continueStarted(wire: WireInternals, max: number, expensive: PieceView | null): boolean {
    for (const piece of this.started) {
      if (this.torrent.pieces[piece] === null || this.torrent.bitfield.get(piece)) {
        this.started.delete(piece)
        continue
      }
      if (!wire.peerPieces.get(piece)) continue
      if (expensive !== null && !worthAnExpensiveLink(expensive, piece)) continue
      this.fill(wire, piece, max)
      if (wire.requests.length >= max) return true
    }
    return false
  }

  private fill(wire: WireInternals, piece: number, max: number): void {
    while (wire.requests.length < max) {
      if (this.budget !== null && !this.budget.take(this.requestLength)) return
      // Each call reserves and requests one more block of the piece.
      if (!this.torrent._request(wire, piece, false)) {
        this.budget?.give(this.requestLength)
        return
      }
    }
  }

  private view(wire: WireInternals): PieceView {
    const { torrent, started, cheapHolders, placement, known } = this
    const now = Date.now()
    return {
      pieceCount: torrent.pieces.length,
      wanted: (piece: number) => known.has(piece) && !started.has(piece) && !torrent.bitfield.get(piece),
      peerHas: (piece: number) => wire.peerPieces.get(piece),
      cheapHolders: (piece: number) => cheapHolders.holders(piece),
      owned: (piece: number) => ownsPiece(placement, piece),
      // A closed owner's share opens up once it has been silent long enough, a slow one's once it
      // lags behind ours (share-lag.ts).
      mayTakeOver: (piece: number) => {
        const owner = piece % placement.siteSize
        return this.owners.stalled(owner, now) || this.shares.lagging(owner, this.mateHeld.get(owner))
      },
      shareLacking: (piece: number) => this.shares.lackingOf(piece % placement.siteSize),
    }
  }
}
