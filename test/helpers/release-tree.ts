/**
 * Release trees for deploy tests and the bench: node scripts run on a cluster host (`node -e`), so
 * the tree is made where it is served. Shared by test/integration/incremental-deploy.test.ts and
 * bench/incremental.ts.
 */
export interface ReleaseShape {
  files: number
  dirs: number
  /** File sizes are whole KiB from minKiB up to maxKiB, drawn from a seeded generator. */
  minKiB: number
  maxKiB: number
}

/** Makes the tree at argv[1]: the same shape, names and sizes on every run; random contents. */
export function makeReleaseScript({ files, dirs, minKiB, maxKiB }: ReleaseShape): string {
  return `
const fs = require('node:fs'), path = require('node:path'), crypto = require('node:crypto')
const root = process.argv[1]
let state = 12345
// xorshift32: exact in 32-bit integers, unlike a multiplier that overflows a double's 53 bits.
const next = () => ((state ^= state << 13), (state ^= state >>> 17), (state ^= state << 5), state >>> 0)
for (let i = 0; i < ${files}; i++) {
  const dir = path.join(root, 'dir' + (i % ${dirs}))
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(path.join(dir, 'f' + i), crypto.randomBytes((${minKiB} + (next() % ${maxKiB - minKiB + 1})) * 1024))
}
`
}

/**
 * Copies the tree at argv[1] to argv[2] (times kept) and makes it the next release: `changed` files
 * rewritten (every other one with the same size), 3 files added, 2 removed, and the last directory
 * renamed, so its files are found in a base only by content.
 */
export function makeNextReleaseScript({ files, dirs }: ReleaseShape, changed: number): string {
  return `
const fs = require('node:fs'), path = require('node:path'), crypto = require('node:crypto')
const [from, to] = process.argv.slice(1)
fs.cpSync(from, to, { recursive: true, preserveTimestamps: true })
const stride = Math.max(1, Math.floor(${files} / ${changed}))
for (let i = 0; i < ${changed}; i++) {
  const k = (i * stride + 7) % ${files}
  const file = path.join(to, 'dir' + (k % ${dirs}), 'f' + k)
  const size = fs.statSync(file).size
  fs.writeFileSync(file, crypto.randomBytes(i % 2 === 0 ? size : size + 777))
}
for (let i = 0; i < 3; i++) fs.writeFileSync(path.join(to, 'dir1', 'added' + i), crypto.randomBytes(20000))
fs.rmSync(path.join(to, 'dir' + (3 % ${dirs}), 'f3'))
fs.rmSync(path.join(to, 'dir' + (5 % ${dirs}), 'f5'))
fs.renameSync(path.join(to, 'dir' + (${dirs} - 1)), path.join(to, 'renamed'))
`
}
