import { Transform, type TransformCallback } from 'node:stream'
import { promisify } from 'node:util'
import { gunzip, gzip } from 'node:zlib'
import { FanoutError } from '../../shared/errors.js'
import { CompressionGate } from '../policy/compression-gate.js'

const gzipAsync = promisify(gzip)
const gunzipAsync = promisify(gunzip)

const BLOCK_LENGTH = 2 ** 20
/** Blocks compressed at once, on libuv's thread pool (4 threads): pigz's parallelism, in-process. */
const IN_FLIGHT = 4
/** gzip's fastest level: a datadir's pages still shrink well, and a 1 Gbit/s link needs the speed. */
const LEVEL = 1
const HEADER_LENGTH = 4
const GZIP_FLAG = 0x8000_0000

/**
 * The gzip codec of the stream: the data cut in 1 MiB blocks, each sent as one gzip member (what
 * pigz writes, one member per block) or, when the CompressionGate says it will not shrink, as it is.
 * Each block has a 4-byte header: its length, with the top bit set for gzip.
 */
export function gzipBlocks(): Transform {
  const gate = new CompressionGate()
  const pending: Promise<Buffer>[] = []
  let buffered: Buffer[] = []
  let bufferedLength = 0
  let block = 0
  const submit = (data: Buffer) => {
    const index = block++
    if (!gate.shouldTry(index)) {
      pending.push(Promise.resolve(frame(data, false)))
      return
    }
    pending.push(
      gzipAsync(data, { level: LEVEL }).then((packed) => {
        gate.record(index, data.length, packed.length)
        return packed.length < data.length ? frame(packed, true) : frame(data, false)
      }),
    )
  }
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      buffered.push(chunk)
      bufferedLength += chunk.length
      const work = async () => {
        while (bufferedLength >= BLOCK_LENGTH) {
          const all = Buffer.concat(buffered, bufferedLength)
          submit(all.subarray(0, BLOCK_LENGTH))
          buffered = [all.subarray(BLOCK_LENGTH)]
          bufferedLength -= BLOCK_LENGTH
          while (pending.length >= IN_FLIGHT) this.push(await (pending.shift() as Promise<Buffer>))
        }
      }
      work().then(() => done(), done)
    },
    flush(done: TransformCallback) {
      if (bufferedLength > 0) submit(Buffer.concat(buffered, bufferedLength))
      const drain = async () => {
        for (let next = pending.shift(); next !== undefined; next = pending.shift()) this.push(await next)
      }
      drain().then(() => done(), done)
    },
  })
}

/** The receiving end of gzipBlocks: blocks back to the bytes, inflated in parallel, in order. */
export function gunzipBlocks(): Transform {
  const pending: Promise<Buffer>[] = []
  // Chunks are kept apart until a whole block is there: joining at every 64 KiB read would copy
  // each block sixteen times.
  let chunks: Buffer[] = []
  let length = 0
  const take = (count: number): Buffer => {
    const all = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, length)
    chunks = all.length > count ? [all.subarray(count)] : []
    length -= count
    return all.subarray(0, count)
  }
  let blockLength: number | undefined
  let gzipped = false
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      chunks.push(chunk)
      length += chunk.length
      const work = async () => {
        for (;;) {
          if (blockLength === undefined) {
            if (length < HEADER_LENGTH) return
            const header = take(HEADER_LENGTH).readUInt32BE(0)
            blockLength = (header & ~GZIP_FLAG) >>> 0
            gzipped = (header & GZIP_FLAG) !== 0
            if (blockLength > BLOCK_LENGTH * 2) throw corrupt(`a block of ${blockLength} bytes`)
          }
          if (length < blockLength) return
          const body = take(blockLength)
          blockLength = undefined
          pending.push(
            gzipped
              ? gunzipAsync(body).catch((err: Error) => {
                  throw corrupt(err.message)
                })
              : Promise.resolve(body),
          )
          while (pending.length >= IN_FLIGHT) this.push(await (pending.shift() as Promise<Buffer>))
        }
      }
      work().then(() => done(), done)
    },
    flush(done: TransformCallback) {
      const drain = async () => {
        if (length > 0 || blockLength !== undefined)
          throw corrupt(`the stream ended inside a block (${length} bytes left)`)
        for (let next = pending.shift(); next !== undefined; next = pending.shift()) this.push(await next)
      }
      drain().then(() => done(), done)
    },
  })
}

function frame(data: Buffer, gzipped: boolean): Buffer {
  const header = Buffer.alloc(HEADER_LENGTH)
  header.writeUInt32BE((data.length | (gzipped ? GZIP_FLAG : 0)) >>> 0)
  return Buffer.concat([header, data])
}

function corrupt(detail: string): FanoutError {
  return new FanoutError('VERIFY_FAILED', `the compressed stream is corrupt: ${detail}`)
}
