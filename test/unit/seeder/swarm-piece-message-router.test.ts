import { describe, expect, test } from 'vitest'
import { type BlockSink, PieceMessageRouter } from '../../../seeder/swarm/piece-message-router.js'

const HANDSHAKE = Buffer.alloc(68, 0x13)

function message(id: number, body: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(5)
  head.writeUInt32BE(1 + body.length, 0)
  head[4] = id
  return Buffer.concat([head, body])
}

function pieceMessage(index: number, begin: number, block: Buffer): Buffer {
  const where = Buffer.alloc(8)
  where.writeUInt32BE(index, 0)
  where.writeUInt32BE(begin, 4)
  return message(7, Buffer.concat([where, block]))
}

const KEEP_ALIVE = Buffer.alloc(4)
const blockA = Buffer.from(Array.from({ length: 300 }, (_, i) => i % 251))
const blockB = Buffer.from(Array.from({ length: 50 }, (_, i) => 255 - i))
const HAVE = message(4, Buffer.from([0, 0, 0, 3]))
const REQUEST = message(6, Buffer.alloc(12, 1))
const BITFIELD = message(5, Buffer.from([0xff, 0x80]))

/** The wire's view of the stream: everything but the piece messages, with where messages start. */
const parts = [
  HANDSHAKE,
  KEEP_ALIVE,
  HAVE,
  pieceMessage(1, 0, blockA),
  REQUEST,
  pieceMessage(2, 128, blockB),
  BITFIELD,
]
const stream = Buffer.concat(parts)
const forwardedExpected = Buffer.concat(parts.filter((p) => p.length < 13 || p[4] !== 7 || p === HANDSHAKE))

/** Offsets in the forwarded stream where the wire's parser would stand between messages. */
function boundaries(): Set<number> {
  const at = new Set<number>()
  let offset = 0
  for (const part of parts) {
    if (part !== HANDSHAKE && part[4] === 7 && part.length >= 13) continue
    offset += part.length
    at.add(offset)
  }
  return at
}

interface Delivered {
  index: number
  begin: number
  block: Uint8Array
}

function routerOver(sinkFor: (index: number, begin: number, length: number) => BlockSink | null) {
  const forwarded: Buffer[] = []
  const delivered: Delivered[] = []
  const between = boundaries()
  const router = new PieceMessageRouter({
    forward: (bytes) => forwarded.push(Buffer.from(bytes)),
    atMessageBoundary: () => between.has(Buffer.concat(forwarded).length),
    sinkFor,
    deliver: (index, begin, block) => delivered.push({ index, begin, block }),
  })
  return { router, forwarded, delivered }
}

/** The handshake in a chunk of its own (as the peer writes it), then the messages cut every way. */
function splitsOf(bytes: Buffer): Buffer[][] {
  const messages = bytes.subarray(HANDSHAKE.length)
  const out: Buffer[][] = [[messages], Array.from(messages, (b) => Buffer.from([b]))]
  for (let cut = 1; cut < messages.length; cut++)
    out.push([messages.subarray(0, cut), messages.subarray(cut)])
  return out.map((chunks) => [HANDSHAKE, ...chunks])
}

describe('PieceMessageRouter', () => {
  test('whatever the chunking, the wire gets every other message and the blocks arrive whole', () => {
    for (const chunks of splitsOf(stream)) {
      const { router, forwarded, delivered } = routerOver(() => null)
      for (const chunk of chunks) router.feed(chunk)
      expect(Buffer.concat(forwarded).equals(forwardedExpected)).toBe(true)
      expect(delivered.map((d) => [d.index, d.begin, Buffer.from(d.block).toString('hex')])).toEqual([
        [1, 0, blockA.toString('hex')],
        [2, 128, blockB.toString('hex')],
      ])
    }
  })

  test("a block someone asked for lands in its piece's buffer and is delivered as a view of it", () => {
    const piece = Buffer.alloc(1024, 0xee)
    const { router, delivered } = routerOver((index, begin, length) =>
      index === 1 ? { bytes: piece.subarray(begin, begin + length), open: () => true } : null,
    )
    for (const chunk of splitsOf(stream)[5] as Buffer[]) router.feed(chunk)
    expect(piece.subarray(0, 300).equals(blockA)).toBe(true)
    expect(piece[300]).toBe(0xee)
    expect(delivered[0]?.block.buffer).toBe(piece.buffer)
    expect(delivered[1]?.block.buffer).not.toBe(piece.buffer)
  })

  test('once its piece closes, the rest of a block goes elsewhere and the piece is not touched', () => {
    const piece = Buffer.alloc(1024, 0xee)
    let open = true
    const { router, delivered } = routerOver((_index, begin, length) => ({
      bytes: piece.subarray(begin, begin + length),
      open: () => open,
    }))
    const pieceStart = HANDSHAKE.length + KEEP_ALIVE.length + HAVE.length + 13
    router.feed(HANDSHAKE)
    router.feed(stream.subarray(HANDSHAKE.length, pieceStart + 100))
    open = false
    router.feed(stream.subarray(pieceStart + 100))
    expect(piece.subarray(0, 100).equals(blockA.subarray(0, 100))).toBe(true)
    expect(piece.subarray(100, 300).every((b) => b === 0xee)).toBe(true)
    expect(Buffer.from(delivered[0]?.block ?? []).equals(blockA)).toBe(true)
    expect(delivered[0]?.block.buffer).not.toBe(piece.buffer)
  })
})
