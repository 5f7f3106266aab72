/**
 * How many of a payload's first `pieces` pieces at least one of the bitfields holds: what tells
 * whether the targets can finish from each other once the source is gone. Bitfields are BitTorrent's
 * (piece 0 in the high bit of byte 0); bits past `pieces`, and bytes a short bitfield lacks, count
 * as not held.
 */
export function piecesCovered(bitfields: readonly Uint8Array[], pieces: number): number {
  const bytes = Math.ceil(pieces / 8)
  const union = new Uint8Array(bytes)
  for (const bitfield of bitfields) {
    for (let i = 0; i < Math.min(bytes, bitfield.length); i++) union[i] = (union[i] ?? 0) | (bitfield[i] ?? 0)
  }
  const spare = bytes * 8 - pieces
  if (spare > 0) union[bytes - 1] = (union[bytes - 1] ?? 0) & ((0xff << spare) & 0xff)
  let held = 0
  for (const byte of union) held += BITS_SET[byte] ?? 0
  return held
}

const BITS_SET = Uint8Array.from({ length: 256 }, (_, byte) => {
  let count = 0
  for (let b = byte; b !== 0; b >>= 1) count += b & 1
  return count
})
