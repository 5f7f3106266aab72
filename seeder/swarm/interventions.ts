/**
 * Every place where fanout changes webtorrent 2.8.5 or one of its dependencies beyond their public
 * API, in one list: what each changes, why, where its code is, and the test that fails without it.
 * webtorrent is pinned exactly in package.json; upgrading it means going down this list.
 *
 * Two kinds. A runtime intervention replaces or wraps a private member of webtorrent's objects
 * (webtorrent-internals.ts types what they touch); join-swarm.ts installs them. A bundle
 * intervention changes a dependency's text or redirects an import as esbuild bundles the agent
 * (bundle-plugin.ts applies them; the build fails if one finds nothing to change). Unit tests run
 * against the unbundled dependencies, so a bundle intervention's test bundles the module it changes.
 *
 * This file is data only: the build reads it, and nothing at runtime does.
 */

/** A test that fails when the intervention is taken out: a file under test/ and a test's title. */
export interface Guard {
  file: string
  /** The test's title, or a unique part of it. */
  test: string
}

/** An edit of a dependency's text: `from` must occur exactly once. */
export interface TextEdit {
  from: string
  to: string
}

export type BundleChange =
  | {
      kind: 'patch'
      /** Matches the path of the dependency's file (a RegExp source). */
      file: string
      edits: TextEdit[]
      /** Appended to the file after the edits. */
      append?: string
    }
  | {
      kind: 'redirect'
      /** Matches the import specifier (a RegExp source). */
      specifier: string
      /** Only imports from files whose path matches (a RegExp source); every importer when absent. */
      importer?: string
      /** The file of ours that stands in, from the repository root. */
      to: string
    }
  | {
      kind: 'replace'
      /** Matches the path of the dependency's file (a RegExp source); its contents are replaced. */
      file: string
      contents: string
    }

export interface Intervention {
  name: string
  /** What of webtorrent (or a dependency) it changes. */
  changes: string
  why: string
  /** Where our half of it lives, from the repository root. */
  code: string
  guard: Guard
  /** Present for bundle interventions: what the bundler does. */
  bundle?: BundleChange
}

const SWARM = 'seeder/swarm'
const UNIT = 'test/unit/seeder'

/** Runtime interventions, in the order join-swarm.ts installs them. */
export const RUNTIME_INTERVENTIONS: readonly Intervention[] = [
  {
    name: 'own-torrent',
    changes:
      'Torrent#_processParsedTorrent is wrapped and `info` made lazy; webtorrent sees the payload as one file',
    why: 'webtorrent re-encoded the torrent four times (a second of CPU for 20,000 files) and kept an object per file',
    code: `${SWARM}/add-own-torrent.ts`,
    guard: {
      file: `${UNIT}/swarm-add-own-torrent.test.ts`,
      test: 'webtorrent takes the parsed torrent, ready to seed, and keeps the original bytes',
    },
  },
  {
    name: 'no-pieces-until-hashed',
    changes:
      'Torrent#_markAllVerified does nothing; _hashes and _markVerified are set per piece as hashes become known',
    why: 'the source seeds while it hashes: a piece is held only once its hash is known, never checked against a placeholder',
    code: `${SWARM}/piece-hashes.ts`,
    guard: {
      file: `${UNIT}/swarm-piece-hashes.test.ts`,
      test: 'a source holds nothing until a piece is hashed, and is done once every piece is',
    },
  },
  {
    name: 'done-by-count',
    changes: 'Torrent#_checkDone counts held pieces instead of walking every file and its pieces',
    why: 'the walk ran after every verified piece: quadratic in the pieces held for a payload hashed in order',
    code: `${SWARM}/check-done-by-count.ts`,
    guard: {
      file: `${UNIT}/swarm-check-done-by-count.test.ts`,
      test: 'holding pieces in order reads no bitfield to decide whether the torrent is done',
    },
  },
  {
    name: 'one-connection-per-pair',
    changes: 'Torrent#_addPeer skips struck-off addresses; the second wire to a peer is destroyed',
    why: 'two peers that learn of each other at once both dial, and webtorrent keeps both connections',
    code: `${SWARM}/drop-duplicate-wires.ts`,
    guard: {
      file: `${UNIT}/swarm-drop-duplicate-wires.test.ts`,
      test: 'two peers that dial each other at once keep one connection',
    },
  },
  {
    name: 'drop-bad-peers',
    changes:
      "Torrent#_request records which peer was asked for each piece; on webtorrent's 'Piece N failed verification' warning the peers behind two failed pieces are disconnected, and Torrent#_addPeer and new wires refuse them",
    why: 'webtorrent re-requests a failed piece from anyone, the bad peer included, and never drops it: a target with a broken disk kept its site-mates waiting for ever',
    code: `${SWARM}/drop-bad-peers.ts`,
    guard: {
      file: `${UNIT}/swarm-drop-bad-peers.test.ts`,
      test: 'a peer whose pieces fail their hash is dropped at the second and never dialled again',
    },
  },
  {
    name: 'no-metadata-exchange',
    changes: "Torrent#_onWire gives each wire an inert ut_metadata extension instead of webtorrent's",
    why: "every agent holds the torrent; webtorrent's extension re-encoded it for every connection (a quarter of an agent's CPU on a tree)",
    code: `${SWARM}/skip-metadata-exchange.ts`,
    guard: {
      file: `${UNIT}/swarm-skip-metadata-exchange.test.ts`,
      test: 'peers offer each other no metadata',
    },
  },
  {
    name: 'coalesce-updates',
    changes:
      "Torrent#_update and _updateWireInterest run once per turn of the event loop, after a burst of a peer's haves",
    why: 'each have ran both, one a walk over every piece: with 16 KiB pieces (a run with a base) tens of thousands of walks',
    code: `${SWARM}/coalesce-updates.ts`,
    guard: {
      file: `${UNIT}/swarm-coalesce-updates.test.ts`,
      test: "a burst of a peer's haves costs webtorrent one update and one interest walk",
    },
  },
  {
    name: 'serve-only',
    changes: "the source's Torrent#_updateWire does nothing",
    why: 'the source never downloads; webtorrent would ask peers for pieces it has not hashed yet',
    code: `${SWARM}/serve-only.ts`,
    guard: {
      file: `${UNIT}/swarm-serve-only.test.ts`,
      test: 'the source asks a peer holding everything for nothing',
    },
  },
  {
    name: 'served-blocks',
    changes: "the source's wires' piece() is wrapped to count each block sent",
    why: "the usage report's `served`: whether the source sent each byte once",
    code: `${SWARM}/count-served-blocks.ts`,
    guard: { file: 'test/e2e/cli.test.ts', test: 'copies a tree to two local targets' },
  },
  {
    name: 'piece-scheduler',
    changes: "a target's Torrent#_updateWire is replaced by our scheduler",
    why: "webtorrent's rarest-first took 60% of a target's CPU and has no notion of an expensive link",
    code: `${SWARM}/piece-scheduler.ts`,
    guard: {
      file: 'test/integration/swarm-efficiency.test.ts',
      test: 'four targets get a verified copy while the source sends little more than one',
    },
  },
  {
    name: 'direct-peer-pipes',
    changes:
      "Peer#setThrottlePipes connects socket and wire directly, and the wire's push() writes to the socket",
    why: 'without --bwlimit, the five-stage stream pipeline each way did nothing but queue (about 8% of agent CPU)',
    code: `${SWARM}/direct-peer-pipes.ts`,
    guard: {
      file: `${UNIT}/swarm-direct-peer-pipes.test.ts`,
      test: 'a swarm client pipes its peers directly, unless a bandwidth limit is on',
    },
  },
  {
    name: 'blocks-in-place',
    changes: "piece messages are parsed ahead of the wire and their blocks copied into their piece's buffer",
    why: 'bittorrent-protocol joined every block and torrent-piece every piece: two copies per byte received',
    code: `${SWARM}/piece-message-router.ts, ${SWARM}/piece-buffers.ts`,
    guard: {
      file: `${UNIT}/swarm-direct-peer-pipes.test.ts`,
      test: "a requested block is copied into its piece's buffer",
    },
  },
]

/** Bundle interventions: scripts/build.mjs applies these through bundle-plugin.ts. */
export const BUNDLE_INTERVENTIONS: readonly Intervention[] = [
  {
    name: 'no-utp',
    changes: "webtorrent's lib/utp.cjs becomes an empty module",
    why: 'uTP is off in our clients, and its native module cannot load from one shipped file',
    code: 'seeder/swarm/interventions.ts',
    guard: { file: `${UNIT}/swarm-bundle.test.ts`, test: 'webtorrent bundles without its native uTP module' },
    bundle: {
      kind: 'replace',
      file: 'webtorrent[\\\\/]lib[\\\\/]utp\\.cjs$',
      contents: 'module.exports = {}',
    },
  },
  {
    name: 'secure-net',
    changes:
      "webtorrent's own imports of `net` get seeder/swarm/secure-net.ts, and its `useSwarmKey` sets the key",
    why: 'peer connections are TLS with a key derived from the transfer secret, without forking webtorrent',
    code: `${SWARM}/secure-net.ts`,
    guard: { file: 'test/integration/swarm-security.test.ts', test: 'payload in clear on the wire' },
    bundle: {
      kind: 'redirect',
      specifier: '^(node:)?net$',
      importer: '[\\\\/]node_modules[\\\\/]webtorrent[\\\\/]lib[\\\\/]',
      to: `${SWARM}/secure-net.ts`,
    },
  },
  {
    name: 'http-fetch',
    changes: 'cross-fetch-ponyfill becomes seeder/swarm/http-fetch.ts',
    why: 'the only fetch is an announce to our own tracker; undici cost 25-30 ms per agent start and node-fetch 100 KiB',
    code: `${SWARM}/http-fetch.ts`,
    guard: {
      file: `${UNIT}/swarm-bundle.test.ts`,
      test: "bittorrent-tracker's announce goes through the agent's own fetch",
    },
    bundle: { kind: 'redirect', specifier: '^cross-fetch-ponyfill$', to: `${SWARM}/http-fetch.ts` },
  },
  {
    name: 'block-length',
    changes: "torrent-piece's BLOCK_LENGTH is 128 KiB instead of 16 KiB",
    why: 'all peers are our agents; 8x fewer blocks cut the per-block work of a target 8x (block-length.ts)',
    code: `${SWARM}/block-length.ts`,
    guard: { file: `${UNIT}/swarm-bundle.test.ts`, test: 'torrent-piece asks for blocks of BLOCK_LENGTH' },
    bundle: {
      kind: 'patch',
      file: '[\\\\/]torrent-piece[\\\\/]index\\.js$',
      edits: [{ from: 'const BLOCK_LENGTH = 1 << 14', to: 'const BLOCK_LENGTH = 1 << 17' }],
    },
  },
  {
    name: 'join-in-place',
    changes: "torrent-piece's flush returns a view when the blocks already lie in one buffer, in order",
    why: 'blocks-in-place puts each block where it belongs; joining them again was a second copy',
    code: `${SWARM}/piece-buffers.ts`,
    guard: {
      file: `${UNIT}/swarm-bundle.test.ts`,
      test: 'torrent-piece hands back blocks lying in place as a view, and copies others',
    },
    bundle: {
      kind: 'patch',
      file: '[\\\\/]torrent-piece[\\\\/]index\\.js$',
      edits: [
        {
          from: 'const buffer = concat(this._buffer, this.length)',
          to: 'const buffer = joinedInPlace(this._buffer, this.length) ?? concat(this._buffer, this.length)',
        },
      ],
      append: `
function joinedInPlace (blocks, length) {
  const first = blocks[0]
  let end = first.byteOffset
  for (const block of blocks) {
    if (block.buffer !== first.buffer || block.byteOffset !== end) return null
    end += block.length
  }
  // A Buffer, not a Uint8Array: the stores serve blocks with slice(), a view on a Buffer but a copy
  // on a Uint8Array.
  return end - first.byteOffset === length ? Buffer.from(first.buffer, first.byteOffset, length) : null
}
`,
    },
  },
  {
    name: 'join-once-per-message',
    changes:
      'bittorrent-protocol joins the bytes it has buffered only once a whole message (or parser unit) is there',
    why: 'it joined on every read: a 128 KiB block in 16 KiB TLS records was copied 4.5 times',
    code: 'seeder/swarm/interventions.ts',
    guard: {
      file: `${UNIT}/swarm-bundle.test.ts`,
      test: 'a wire keeps the chunks of an unfinished message as they came',
    },
    bundle: {
      kind: 'patch',
      file: '[\\\\/]bittorrent-protocol[\\\\/]index\\.js$',
      edits: [
        {
          from: 'if (this._buffer.length > 1) {',
          to: 'if (this._buffer.length > 1 && (this._bufferSize >= this._parserSize || this._cryptoSyncPattern)) {',
        },
      ],
    },
  },
  {
    name: 'leave-tracker-at-once',
    changes: "bittorrent-tracker's DESTROY_TIMEOUT is 0: leaving drops tracker requests still in flight",
    why: "the tracker dies with the source while targets finalize; a request it never answered held a target's finalize for a second (2 runs in 6)",
    code: 'seeder/swarm/interventions.ts',
    guard: {
      file: `${UNIT}/swarm-bundle.test.ts`,
      test: 'a tracker client gives requests in flight no grace period when it leaves',
    },
    bundle: {
      kind: 'patch',
      file: '[/]bittorrent-tracker[/]lib[/]common-node\\.js$',
      edits: [{ from: 'export const DESTROY_TIMEOUT = 1000', to: 'export const DESTROY_TIMEOUT = 0' }],
    },
  },
]
