import { Transform, type TransformCallback } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { TokenBucket } from '../policy/token-bucket.js'

/** Small enough that the cap holds within a tenth of a second at 10 Mbit/s. */
const SLICE = 64 * 1024

/** Holds a stream to `rate` bytes per second (--bwlimit on the source's upload). */
export function throttle(rate: number): Transform {
  // A tenth of a second of burst: a fresh connection starts at the cap, not above it.
  const bucket = new TokenBucket(rate, Math.max(SLICE, rate / 10))
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      const pace = async () => {
        for (let offset = 0; offset < chunk.length; offset += SLICE) {
          const slice = chunk.subarray(offset, offset + SLICE)
          while (!bucket.take(slice.length)) await sleep(Math.max(1, (slice.length / rate) * 1000))
          this.push(slice)
        }
      }
      pace().then(() => done(), done)
    },
  })
}
