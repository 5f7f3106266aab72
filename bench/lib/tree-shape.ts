/** One file of a generated tree. */
export interface TreeFile {
  path: string
  size: number
}

// A few big files carry about half the bytes, as ibdata and redo logs do in a MySQL datadir.
const BIG_FILES = 4
const BIG_SHARE = 0.5
const FILES_PER_DIR = 200

/**
 * The files of a datadir-like tree totalling exactly `totalBytes`: `count - 4` log-normal small
 * files (median about 4 KiB) spread over directories of 200, and 4 big ones with the rest.
 * Deterministic: a fixed-seed generator, so every run has the same shape.
 */
export function treeShape(totalBytes: number, count: number): TreeFile[] {
  const random = mulberry32(0x5eed)
  const small = Math.max(0, count - BIG_FILES)
  const raw = Array.from({ length: small }, () => Math.exp(Math.log(4096) + 1.5 * gaussian(random)))
  const smallBudget = totalBytes * (1 - BIG_SHARE)
  const scale = smallBudget / raw.reduce((a, b) => a + b, 0)
  const files: TreeFile[] = raw.map((r, i) => ({
    path: `db${Math.floor(i / FILES_PER_DIR)}/t${i}.ibd`,
    size: Math.max(1, Math.floor(r * scale)),
  }))
  const bigTotal = totalBytes - files.reduce((a, f) => a + f.size, 0)
  for (let i = 0; i < BIG_FILES; i++) {
    const size =
      i < BIG_FILES - 1
        ? Math.floor(bigTotal / BIG_FILES)
        : bigTotal - Math.floor(bigTotal / BIG_FILES) * (BIG_FILES - 1)
    files.push({ path: `ibdata${i}`, size })
  }
  return files
}

function gaussian(random: () => number): number {
  // Box-Muller; 1 - random() keeps the logarithm's argument above zero.
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
}

/** A small seeded PRNG (public domain), good enough for file sizes and generated text. */
export function mulberry32(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
