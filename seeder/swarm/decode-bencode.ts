const COLON = 0x3a
/** The bytes that open a dictionary, close a dictionary or list, and open a list. */
export const DICT = 0x64
export const END = 0x65
const INT = 0x69
export const LIST = 0x6c

/** What bencode.decode returns: byte strings are Uint8Arrays, dictionary keys are text. */
export type Bencoded = number | Uint8Array | Bencoded[] | { [key: string]: Bencoded }

/**
 * bencode.decode's result, without its copies: the bencode package copies every byte string into
 * a buffer of its own, and decodes every key through another, which for the info dict of a
 * 20,000-file torrent meant 40,000 small buffers, 30 MB. Here byte strings are views into `bytes`.
 * Keys are UTF-8, or hex when they are not valid UTF-8, as bencode does. Integers must be safe.
 */
export function decodeBencode(bytes: Buffer): Bencoded {
  const reader = { bytes, position: 0 }
  const value = readValue(reader)
  if (reader.position !== bytes.length) throw new Error('bencode: trailing bytes')
  return value
}

/** A position in bencoded bytes, for reading them a value at a time. */
export interface Reader {
  bytes: Buffer
  position: number
}

/** Decodes the value at the reader's position (as decodeBencode does) and moves past it. */
export function readValue(reader: Reader): Bencoded {
  const { bytes } = reader
  switch (bytes[reader.position]) {
    case DICT: {
      reader.position++
      const dict: { [key: string]: Bencoded } = {}
      while (bytes[reader.position] !== END) {
        const key = byteString(reader)
        const text = key.toString('utf8')
        dict[text.includes('\uFFFD') ? key.toString('hex') : text] = readValue(reader)
      }
      reader.position++
      return dict
    }
    case LIST: {
      reader.position++
      const list: Bencoded[] = []
      while (bytes[reader.position] !== END) list.push(readValue(reader))
      reader.position++
      return list
    }
    case INT: {
      const end = indexOrThrow(bytes, END, reader.position)
      const value = Number(bytes.toString('latin1', reader.position + 1, end))
      if (!Number.isSafeInteger(value)) throw new Error('bencode: bad integer')
      reader.position = end + 1
      return value
    }
    default:
      return byteString(reader)
  }
}

/** Moves past the value at the reader's position without making anything of it. */
export function skipValue(reader: Reader): void {
  const { bytes } = reader
  switch (bytes[reader.position]) {
    case DICT:
    case LIST: {
      const dict = bytes[reader.position] === DICT
      reader.position++
      while (bytes[reader.position] !== END) {
        if (dict) byteString(reader)
        skipValue(reader)
      }
      reader.position++
      return
    }
    case INT:
      reader.position = indexOrThrow(bytes, END, reader.position) + 1
      return
    default:
      byteString(reader)
  }
}

/** The byte string at the reader's position, as a view into its bytes. */
export function byteString(reader: Reader): Buffer {
  const { bytes } = reader
  const colon = indexOrThrow(bytes, COLON, reader.position)
  const length = Number(bytes.toString('latin1', reader.position, colon))
  const start = colon + 1
  if (!Number.isSafeInteger(length) || length < 0 || start + length > bytes.length) {
    throw new Error('bencode: bad string length')
  }
  reader.position = start + length
  return bytes.subarray(start, start + length)
}

function indexOrThrow(bytes: Buffer, byte: number, from: number): number {
  const at = bytes.indexOf(byte, from)
  if (at < 0) throw new Error('bencode: truncated')
  return at
}
