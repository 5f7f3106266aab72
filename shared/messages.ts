import type { PeerIdentity } from './peer-id.js'
/**
 * The agent's control channel: one JSON object per line, commands on the agent's stdin, reports on
 * its stdout. The orchestrator and the bundled agent both import this file, so the two sides cannot
 * drift apart. Anything an agent prints that is not a JSON line is ignored (and logged).
 */

import type { FanoutCode } from './errors.js'
import type { Placement } from './placement.js'

export type EntryKind = 'file' | 'dir' | 'symlink'

/**
 * One filesystem object of the payload. BitTorrent carries only bytes; this carries the rest. The
 * manifest holds them as columns (ManifestEntries); shared/manifest-table.ts reads one out.
 */
export interface ManifestEntry {
  /** Relative to the payload root, '/'-separated; '' is the root itself. */
  path: string
  kind: EntryKind
  /** Permission bits including setuid/setgid/sticky (st_mode & 0o7777). */
  mode: number
  uid: number
  gid: number
  /** Milliseconds since the epoch, with a fraction: Node's utimes cannot set finer than this. */
  mtimeMs: number
  atimeMs: number
  /** Bytes, for files; 0 otherwise. */
  size: number
  /** Where a symlink points, exactly as readlink returned it (never followed). */
  linkTarget?: string
  /**
   * Swarm only: this file is another name of the file at this path (a hard link); its bytes are not
   * in the torrent, and the target links it to that file, which comes earlier in the manifest.
   */
  linkTo?: string
  /**
   * SHA-256 of a file's bytes, hex: set when the run copies from a base (--base), so a target can
   * find each file's content there under any name.
   */
  digest?: string
}

/**
 * The payload's entries, one array per field of ManifestEntry, entry i being the i-th element of
 * each: a release tree of a million files is a dozen arrays, not a million objects each with its
 * full path, in the agents and on the channel (where field names repeated per entry were two
 * thirds of the JSON). Parents come before children, so creating entries in order always works.
 */
export interface ManifestEntries {
  /** Each entry's name in its directory; '' for the root. */
  name: string[]
  /** The index of each entry's directory, an earlier entry; -1 for the root. */
  parent: number[]
  /** One letter per entry: f (file), d (directory), l (symlink). */
  kind: string
  mode: number[]
  uid: number[]
  gid: number[]
  mtimeMs: number[]
  atimeMs: number[]
  size: number[]
  /** Each symlink's target (see ManifestEntry), by entry index. */
  linkTarget: Record<number, string>
  /** Swarm only: a later name of a hard-linked file, by entry index → the entry of its first name. */
  linkTo: Record<number, number>
  /** --base only: each payload file's SHA-256, hex, by entry index. */
  digest?: Record<number, string>
}

export interface Manifest {
  /** Basename of the source: what appears inside each target directory. */
  name: string
  /** The root entry's kind: a single file, or a directory tree. */
  rootKind: 'file' | 'dir'
  entries: ManifestEntries
  /** Sum of file sizes, each file with several names counted once in the swarm. */
  totalBytes: number
  /** Objects that cannot be carried (sockets, devices, fifos), with why. */
  skipped: { path: string; reason: string }[]
}

/**
 * The transfer's secret, made fresh by the orchestrator for each run and sent only over the SSH
 * channels: it authenticates announces to the tracker and, when `encrypt` is on, keys the peers' TLS.
 */
export interface SwarmSecurity {
  /** 32 random bytes, base64. Never logged, never written to disk, never in argv. */
  key: string
  encrypt: boolean
}

/** Who may reach this transfer's ports; null when the user said --no-firewall. */
export interface FirewallPlan {
  /** The data addresses of every host in the transfer, the source included. */
  participants: string[]
}

/** How every agent of a transfer joins its swarm: decided once by the orchestrator, the same for all. */
export interface SwarmSettings {
  transferId: string
  security: SwarmSecurity
  /** Upload and download cap for each host, bytes per second; null for none. */
  bwlimit: number | null
  /** Who may reach the agents' ports; null for no firewall holes. */
  firewall: FirewallPlan | null
}

/**
 * An archive that a target unpacks into its directory instead of keeping it: a tarball holding one
 * directory (`--type decompress`, whose contents become the directory's) or a mariadb-backup
 * xbstream (`--type xtrabackup`).
 */
export type ArchiveFormat = 'tar' | 'tar.gz' | 'tar.zst' | 'xbstream'

/** A hot backup taken on the source: `--type xtrabackup` with a server's socket as SOURCE. */
export interface BackupOrder {
  /** The server's unix socket; the connection's credentials come from the host's client config. */
  socket: string
  /** The server's own @@datadir, so that no option file on the host can point the backup elsewhere. */
  datadir: string
  /** STOP SLAVE before the backup and START SLAVE as soon as it ends, if replication was running. */
  stopSlave: boolean
}

/** What a MariaDB backup's own files say of where it stands, verbatim; null where it has none. */
export interface BackupPosition {
  /** `*_binlog_info`: binlog file, position and GTID of the server the backup was taken on. */
  binlogInfo: string | null
  /** `*_slave_info`: from a replica, the statement that points a copy at that replica's primary. */
  slaveInfo: string | null
}

/** The stream's compression on the wire; null sends the tar as it is. */
export type StreamCodec = 'gzip' | 'zstd'

/**
 * How one source streams to one target (compatibility mode): decided once by the orchestrator, the
 * same for the two ends of each connection.
 */
export interface StreamSettings {
  transferId: string
  /** Keys the connection's TLS (PSK with ephemeral Diffie-Hellman) when `encrypt` is on. */
  security: SwarmSecurity
  compress: StreamCodec | null
  /**
   * `read-back`: the source hashes each chunk of file data as it reads it and the target re-reads
   * what it wrote against those hashes. `in-flight`: both ends hash the bytes on the wire only
   * (transfer.py's parallel checksum). `none`: neither.
   */
  checksum: 'read-back' | 'in-flight' | 'none'
  /** Upload cap on the source, bytes per second; null for none. */
  bwlimit: number | null
  /** The two hosts of the connection; null for no firewall holes. */
  firewall: FirewallPlan | null
}

/** Bytes of file data covered by one read-back hash: small enough to verify while the rest arrives. */
export const CHUNK_LENGTH = 4 * 2 ** 20

export type AgentCommand =
  | {
      type: 'seed'
      swarm: SwarmSettings
      sourcePath: string
      dataAddress: string
      /** The source's site (see Placement); the tracker groups peers by site. */
      site: number
      /**
       * The targets copy unchanged files from a base (--base): give every file its digest before
       * seeding, and pieces small enough that a changed file costs little more than itself.
       */
      incremental?: boolean
      /** Not `sourcePath`: a hot backup, spooled in the agent's directory and seeded as it grows. */
      backup?: BackupOrder & {
        /** The most the backup may grow to: the torrent's size. */
        capacity: number
      }
    }
  | {
      type: 'fetch'
      swarm: SwarmSettings
      /** The .torrent file, base64; null when the payload has no non-empty file. */
      torrent: string | null
      manifest: Manifest
      targetDir: string
      stagingName: string
      /** This target's site and its share of the pieces to fetch over expensive links. */
      placement: Placement
      /** The tracker's announce URL, without the secret (the agent adds it from `swarm`). */
      trackerUrl: string | null
      /** Re-read the whole copy from disk against the piece hashes before it lands (--checksum). */
      checksum: boolean
      /** An absolute directory on this host to copy every file whose digest it holds from (--base). */
      base?: string
      /** The payload is this archive: unpack it into `targetDir`, which must hold nothing else. */
      unpack?: ArchiveFormat
      /** An unpacked backup: run `mariadb-backup --prepare` on it and give it to the directory's owner. */
      prepare?: boolean
      /** The payload grows while it is fetched (a hot backup); `payloadEnd` will say where it ends. */
      growing?: boolean
      /** Test hook: flip a byte of the first file once every piece is held, before it is read back. */
      corruptForTest?: boolean
    }
  /**
   * Target, before `fetch`: measure the round-trip time to the source (TCP handshakes with its
   * tracker), so the orchestrator can tell which targets share the source's datacenter. Answered
   * with `rtt`.
   */
  | { type: 'probe'; address: string; port: number; samples: number }
  /**
   * Target, after `fetch`: the SHA-1s of pieces `first` onwards, as the source hashed them (the
   * torrent's own are placeholders). A target asks for a piece only once it has its hash.
   * After `receive` (the stream), the same message carries the SHA-1s of CHUNK_LENGTH chunks of
   * file data, in stream order, for the read-back check.
   */
  | ({ type: 'pieceHashes' } & PieceHashes)
  /** Source, stream: scan the payload and answer with `manifest`; `send` may follow, once per target. */
  | {
      type: 'scan'
      sourcePath: string
      /** Not a path to read: a hot backup of this server, taken anew for each `send`. */
      backup?: BackupOrder
    }
  /**
   * Target, stream: make the staging directory, listen on `address`:`port` (0: any free port) for
   * the source alone, and answer with `listening`; then unpack what arrives and report `complete`.
   * The source's chunk hashes follow as `pieceHashes` (CHUNK_LENGTH bytes of file data each).
   */
  | {
      type: 'receive'
      stream: StreamSettings
      manifest: Manifest
      targetDir: string
      stagingName: string
      address: string
      port: number
      /** The source's data address: the only host whose connection is taken. */
      sourceAddress: string
      /** The payload is this archive: unpack it into `targetDir` as it arrives (see `fetch`). */
      unpack?: ArchiveFormat
      /** See `fetch`. */
      prepare?: boolean
      /** Test hook: flip a byte of the first file once it is written, before it is read back. */
      corruptForTest?: boolean
    }
  /** Source, stream: connect to a target that is listening and send it the payload; answered with `sent`. */
  | {
      type: 'send'
      stream: StreamSettings
      address: string
      port: number
      /** Send the payload file's bytes as they are, with no tar around them: an archive to unpack. */
      raw?: boolean
    }
  /** Target, swarm: the growing payload ended; relayed from the source's report of the same name. */
  | ({ type: 'payloadEnd' } & PayloadEnd)
  /**
   * Target: restore metadata, verify, and rename the staging copy into place; keep sharing from there
   * until `stop`. Runs in the background: the channel stays free for `holdings` and `stop`.
   */
  | { type: 'finalize' }
  /** Target, swarm: which pieces do you hold? Asked when the source is lost. */
  | { type: 'holdings' }
  /**
   * Target, once its copy landed (`finalized`): point the symlink `name` in `dir` at `to`, the copy's
   * name there, through a new link `tempName` beside it renamed over it, so that NAME always opens
   * one release or the other. A real file or directory named `name` is never replaced. Answered with
   * `linked`, or an error with the link as it was.
   */
  | { type: 'link'; dir: string; name: string; to: string; tempName: string }
  /** Orderly end: leave the swarm, remove temp files, exit. Closing stdin means the same. */
  | { type: 'stop' }
  /**
   * Sent every few seconds. An agent that hears nothing for its idle timeout assumes the orchestrator
   * is gone (an SSH link cut that sshd has not noticed) and cleans up.
   */
  | { type: 'ping' }

/** Where a growing payload ended: its length, and how many pieces (the last padded) hold it. */
export interface PayloadEnd {
  bytes: number
  pieces: number
}

/** Bytes of one piece's SHA-1. */
export const PIECE_HASH_LENGTH = 20

/** Consecutive pieces' SHA-1s. */
export interface PieceHashes {
  first: number
  /** PIECE_HASH_LENGTH bytes per piece, concatenated, base64. */
  digests: string
}

/** Payload bytes a seed queued to peers' connections; `repeatedBytes` of them it had queued before. */
export interface ServedCounts {
  bytes: number
  repeatedBytes: number
}

/**
 * What a target copied from its base (--base) instead of receiving it; `found` false when the base
 * was not there (the target then receives every byte).
 */
export interface FromBase {
  found: boolean
  files: number
  bytes: number
}

export interface TransferCounters {
  downloaded: number
  uploaded: number
  /** Bytes per second, smoothed by webtorrent. */
  downloadRate: number
  uploadRate: number
  peers: number
}

export type AgentReport =
  | { type: 'hello'; pid: number; node: string }
  | { type: 'scanned'; files: number; bytes: number }
  | { type: 'hashing'; hashedBytes: number; totalBytes: number }
  /**
   * The source seeds before it has hashed everything: 'seeding' comes first, then the hashes in
   * batches, in piece order, each piece seeded from the moment it is hashed.
   */
  | ({ type: 'pieceHashes' } & PieceHashes)
  /**
   * Source of a hot backup with --stop-slave: replication was stopped for it (`stopped`), or started
   * again. The orchestrator starts it itself if the agent could not say so.
   */
  | { type: 'replication'; stopped: boolean }
  /** Source of a hot backup: the backup completed OK and every piece of it is hashed and reported. */
  | ({ type: 'payloadEnd' } & PayloadEnd)
  | {
      type: 'seeding'
      torrent: string | null
      infoHash: string | null
      /** The content's name apart from its piece length (build-torrent.ts); null with the torrent. */
      contentId: string | null
      manifest: Manifest
      trackerUrl: string | null
    }
  /** Source, stream: what it will send, before any byte goes. */
  | { type: 'manifest'; manifest: Manifest }
  /** Target, stream: its listener is up and accepts the source only. */
  | { type: 'listening'; port: number }
  /** Source, stream: every byte is on the connection. `streamDigest`: SHA-256 of the wire bytes, in-flight checksum only. */
  | { type: 'sent'; bytesRead: number; wireBytes: number; streamDigest: string | null }
  /** The smallest of the probe's handshake times in ms; null and why when the source could not be reached. */
  | { type: 'rtt'; ms: number | null; reason?: string }
  | ({ type: 'progress' } & TransferCounters)
  /**
   * Every piece is held and verified; the agent keeps uploading until told to finalize. A stream's
   * target adds the wire bytes it read and, for the in-flight checksum, their SHA-256.
   */
  /** Target, with a base: what it copied from there before asking the swarm for anything. */
  | ({ type: 'fromBase' } & FromBase)
  /** `received`: payload bytes that came over the network (the swarm; the rest came from a base). */
  | { type: 'complete'; bytes: number; received?: number; wireBytes?: number; streamDigest?: string | null }
  /**
   * Target, swarm: the pieces it holds, as a BitTorrent bitfield (piece 0 in the high bit of the
   * first byte), base64; `pieces`: how many make the payload, null while a growing one has not ended.
   */
  | { type: 'holdings'; bitfield: string; pieces: number | null }
  /** Target: `link` done; `previous` is what the link pointed at before (null: there was none). */
  | { type: 'linked'; path: string; previous: string | null }
  /** `readBackSeconds`: time spent re-reading the copy from disk to check it (checksum on). */
  | { type: 'finalized'; path: string; readBackSeconds?: number; backup?: BackupPosition }
  | { type: 'warning'; message: string }
  /**
   * Target, swarm: it closed its connection to a peer whose pieces kept failing their hash, and will
   * not connect to it again. `peer` is who the peer said it was (null: not one of ours).
   */
  | { type: 'peerDropped'; peer: PeerIdentity | null; address: string | null; failedPieces: number }
  | { type: 'error'; code: FanoutCode; message: string }
  /** The agent's own cost, sent as it exits: what `bench/` and `--json` report per host. */
  | { type: 'usage'; cpuSeconds: number; maxRssBytes: number; served?: ServedCounts }
  /**
   * The agent's last word before it exits: every firewall hole it opened is closed and its own files
   * are removed, so the orchestrator need not do either again. An agent that dies sends nothing.
   */
  | { type: 'cleanedUp' }

export function encodeMessage(message: AgentCommand | AgentReport): string {
  return `${JSON.stringify(message)}\n`
}
