import { closeSync, openSync, readSync, writeSync } from 'node:fs'

/**
 * The read-back check's test hook (FANOUT_TEST_CORRUPT_STAGED): a disk that gives back other bytes
 * than it was given, simulated by inverting one byte of what was written.
 */
export function flipByte(path: string, offset: number): void {
  const fd = openSync(path, 'r+')
  try {
    const byte = Buffer.alloc(1)
    readSync(fd, byte, 0, 1, offset)
    byte[0] = (byte[0] as number) ^ 0xff
    writeSync(fd, byte, 0, 1, offset)
  } finally {
    closeSync(fd)
  }
}
