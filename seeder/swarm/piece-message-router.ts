/** Where a block's bytes go as they arrive, and whether they may still go there. */
export interface BlockSink {
  bytes: Uint8Array
  /** False once the piece was joined for hashing (or dropped): later bytes must not touch it. */
  open(): boolean
}

export interface PieceRouting {
  /** Hands bytes to the wire's own parser, which sees every message but the pieces routed here. */
  forward(bytes: Uint8Array): void
  /** Whether the wire's parser sits between messages with nothing buffered (after the handshake). */
  atMessageBoundary(): boolean
  /** The place for a block we asked for, or null (a block nobody asked for gets a buffer of its own). */
  sinkFor(index: number, begin: number, length: number): BlockSink | null
  /** The whole block, as the wire's parser would have passed it on. */
  deliver(index: number, begin: number, block: Uint8Array): void
}

const PIECE = 7
/** Length (4 bytes), id, then a piece message's index and begin. */
const LENGTH_BYTES = 4
const PIECE_HEADER_BYTES = 13
/** Larger "blocks" are left to the wire's parser, as before; no agent sends them. */
const MAX_ROUTED_BLOCK = 1 << 24

/**
 * Copies each piece message's payload straight from the socket's chunks into the buffer of the
 * piece it belongs to, and passes every other message to the wire unchanged.
 *
 * bittorrent-protocol joins a message's chunks into one buffer before parsing it, and torrent-piece
 * joins a piece's blocks into another before hashing it: two copies of every byte received, and a
 * new 128 KiB and a new 1 MiB allocation for each block and piece. Copying each chunk once into the
 * piece's own buffer (piece-buffers.ts) leaves one copy; torrent-piece's join then finds the blocks
 * already in place (interventions.ts, join-in-place).
 *
 * The byte stream starts with the BitTorrent handshake, which has no length prefix; everything goes
 * to the wire until its parser has taken the handshake and stands between two messages.
 */
export class PieceMessageRouter {
  private framing = false
  private readonly header = new Uint8Array(PIECE_HEADER_BYTES)
  private headerFill = 0
  /** Body bytes of a forwarded message still to come. */
  private forwardLeft = 0
  private block: RoutedBlock | null = null

  constructor(private readonly routing: PieceRouting) {}

  feed(chunk: Uint8Array): void {
    if (!this.framing) {
      this.routing.forward(chunk)
      this.framing = this.routing.atMessageBoundary()
      return
    }
    let pos = 0
    while (pos < chunk.length) {
      if (this.forwardLeft > 0) pos = this.forwardBody(chunk, pos)
      else if (this.block !== null) pos = this.fillBlock(chunk, pos)
      else pos = this.readHeader(chunk, pos)
    }
  }

  private forwardBody(chunk: Uint8Array, pos: number): number {
    const end = Math.min(chunk.length, pos + this.forwardLeft)
    this.routing.forward(chunk.subarray(pos, end))
    this.forwardLeft -= end - pos
    return end
  }

  private fillBlock(chunk: Uint8Array, pos: number): number {
    const block = this.block as RoutedBlock
    const end = Math.min(chunk.length, pos + block.bytes.length - block.filled)
    if (block.sink !== null && !block.sink.open()) block.detach()
    block.bytes.set(chunk.subarray(pos, end), block.filled)
    block.filled += end - pos
    if (block.filled === block.bytes.length) {
      this.block = null
      this.routing.deliver(block.index, block.begin, block.bytes)
    }
    return end
  }

  private readHeader(chunk: Uint8Array, pos: number): number {
    // The length first (a keep-alive is nothing else), then the id, then a piece's index and begin.
    const want =
      this.headerFill < LENGTH_BYTES
        ? LENGTH_BYTES
        : this.headerFill === LENGTH_BYTES
          ? LENGTH_BYTES + 1
          : PIECE_HEADER_BYTES
    const end = Math.min(chunk.length, pos + want - this.headerFill)
    this.header.set(chunk.subarray(pos, end), this.headerFill)
    this.headerFill += end - pos
    const length = readUint32(this.header, 0)
    if (this.headerFill === LENGTH_BYTES && length === 0) {
      this.passHeader(LENGTH_BYTES, 0)
    } else if (this.headerFill === LENGTH_BYTES + 1 && !this.routable(length)) {
      this.passHeader(LENGTH_BYTES + 1, length - 1)
    } else if (this.headerFill === PIECE_HEADER_BYTES) {
      this.startBlock(length - (PIECE_HEADER_BYTES - LENGTH_BYTES))
    }
    return end
  }

  private routable(length: number): boolean {
    const blockLength = length - (PIECE_HEADER_BYTES - LENGTH_BYTES)
    return this.header[LENGTH_BYTES] === PIECE && blockLength > 0 && blockLength <= MAX_ROUTED_BLOCK
  }

  private passHeader(bytes: number, bodyLeft: number): void {
    this.routing.forward(this.header.slice(0, bytes))
    this.headerFill = 0
    this.forwardLeft = bodyLeft
  }

  private startBlock(length: number): void {
    this.headerFill = 0
    const index = readUint32(this.header, 5)
    const begin = readUint32(this.header, 9)
    this.block = new RoutedBlock(index, begin, length, this.routing.sinkFor(index, begin, length))
  }
}

class RoutedBlock {
  bytes: Uint8Array
  filled = 0

  constructor(
    readonly index: number,
    readonly begin: number,
    length: number,
    public sink: BlockSink | null,
  ) {
    this.bytes = sink?.bytes ?? Buffer.allocUnsafe(length)
  }

  /** The piece closed while this block was arriving: its remaining bytes go to a buffer of its own. */
  detach(): void {
    const own = Buffer.allocUnsafe(this.bytes.length)
    own.set(this.bytes.subarray(0, this.filled))
    this.bytes = own
    this.sink = null
  }
}

function readUint32(bytes: Uint8Array, at: number): number {
  return (
    (((bytes[at] as number) << 24) |
      ((bytes[at + 1] as number) << 16) |
      ((bytes[at + 2] as number) << 8) |
      (bytes[at + 3] as number)) >>>
    0
  )
}
