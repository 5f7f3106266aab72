/** The parts of `--help` after the options, written like a man page. */
export const HELP_AFTER = `
DESCRIPTION
  Copies SOURCE into every TARGET directory at once. The source host seeds the
  payload through a private BitTorrent swarm while it hashes it in place; every
  target downloads from the source and from the other targets, so N targets
  take about the time of one copy. Hosts are reached over SSH (OpenSSH client
  config honoured, ProxyJump included: only SSH goes through a jump host, the
  data goes from host to host directly); each needs only sshd and Node.js >= 20.
  fanout copies a small agent to each host for the duration of the run and
  removes it afterwards.

  SOURCE is [user@]host:/path or a local path, a file or a directory.
  TARGET is [user@]host:/dir or a local directory that must already exist; the
  source is copied inside it, like scp: "fanout h0:/srv/sqldata h1:/srv" gives
  /srv/sqldata on h1. localhost: and bare paths run locally without SSH.

  --targets FILE adds the targets FILE lists, after those of the command line
  (then no TARGET argument is needed): one TARGET per line, optionally followed
  by a SITE label; # starts a comment, blank lines are skipped. A line with a
  bare HOST and a SITE (no :/dir) is not a target: it names that host's site,
  the source's say, so that the same file can be given as --topology FILE.
  Relative local paths in it are from the current directory. A malformed line
  or a target listed twice is bad usage, reported with its file and line.

  Before any data moves, every host is checked at once: reachable, source
  readable, target a writable directory, the destination name absent (nothing
  is ever overwritten), enough free space. Any problem is reported, one line
  each, and nothing is changed anywhere.

  Targets download into a hidden staging directory (.fanout-<id>.partial) inside
  the target directory; only a complete, verified copy is renamed to its final
  name. File modes, numeric owners, mtimes, symlinks (never followed) and empty
  directories are restored. An interrupted run leaves the staging directory so
  that running the same transfer again resumes from it.

  Deploys: --link NAME points the symlink NAME in each target directory at
  the new copy once it landed (NAME -> release-43, relative), atomically: a
  new link beside it is renamed over it. A target whose copy failed keeps its
  link; --link-when all switches no target unless every copy landed. A NAME
  that is a real file or directory is refused before anything moves.

  fanout cleanup HOST[:/dir] ... removes what a killed or lost run left on
  hosts: firewall holes, agent processes, shipped agents and, in each /dir
  named, staging directories and temporary links (fanout cleanup --help). A source that is
  literally named cleanup is written ./cleanup.

  Hosts in several datacenters: peers prefer peers of their own datacenter
  (site), only a few connections cross between sites, and each piece crosses
  about once. --topology FILE names each host's site, one "HOST LABEL" line per
  host (# comments allowed); HOST is the host as written on the command line,
  user@host or host, and localhost for local paths; a [user@]host:/dir there
  counts as its host, so a --targets file with sites serves. Without it, the
  targets measure their round-trip time to the source and are grouped by it;
  the summary says what was inferred.

  Deploys: --base DIR names the previous release on every target (absolute,
  or relative to the target directory). Each target copies from it every file
  whose content the new release has, under any name, and receives the rest;
  the base is only read.

  The swarm is private and, by default, encrypted: a secret made for each run
  reaches the agents only over their SSH channels; the tracker answers nobody
  without it, and peers talk TLS keyed from it (--no-encrypt to turn it off).

EXAMPLES
  fanout db1:/srv/sqldata db2:/srv db3:/srv db4:/srv
  fanout --ssh-config ./cluster.conf --json build:/srv/release-42 web{1..8}:/srv/releases
  fanout ./dataset /tmp/a /tmp/b          # local fan-out, no SSH
  fanout --link current build:/srv/release-43 web1:/srv web2:/srv
                                          # then web*:/srv/current -> release-43
  fanout --topology dcs.txt db1:/srv/sqldata db2:/srv db7:/srv db8:/srv
                                          # dcs.txt: "db1 east", "db7 west", ...
  fanout --targets web.txt --topology web.txt b1:/srv/release-42
  fanout --base release-42 --targets web.txt b1:/srv/releases/release-43
                                          # web.txt: "b1 east", "web1:/srv east"
  fanout cleanup db2:/srv db3:/srv        # after a lost run

EXIT STATUS
  0    every target holds a verified copy
  1    at least one target failed during the transfer (see the summary)
  2    bad usage
  3    a copy failed verification
  130  interrupted (SIGINT/SIGTERM); hosts were cleaned up
  255  a check failed before any data moved; nothing was changed

FILES
  /etc/fanout/fanout.conf, then $XDG_CONFIG_HOME/fanout/fanout.conf
  ($XDG_CONFIG_HOME defaults to ~/.config): settings for every run, in
  transfer.py's INI format, keys in [DEFAULT] or before any section. Either
  file may be missing; --config FILE reads FILE instead of both. Later
  sources win: defaults, the files in that order, the environment, then the
  command line; --print-config shows where each setting came from.

    [DEFAULT]
    port = 0                # transfer.py's keys: port, transfer_type,
    compress = true         # compress, encrypt, checksum, parallel_checksum,
    checksum = false        # stop_slave, verbose (true/t/1/false/f/0)
    parallel_checksum = true
    transport = auto        # fanout's own: transport, codec, firewall,
    bwlimit = 100Mbit       # bwlimit, stall_timeout and connect_timeout
    ssh_config = ssh.conf   # (seconds), ssh_config and topology (relative
                            # to the file's directory)

ENVIRONMENT
  FANOUT_<KEY>           any config file key, upper case, same syntax: e.g.
                         FANOUT_PORT, FANOUT_COMPRESS, FANOUT_SSH_CONFIG,
                         FANOUT_STALL_TIMEOUT (seconds); empty means unset
  FANOUT_AGENT_IDLE_TIMEOUT  seconds an agent waits without word from fanout
                         before it cleans up and exits (default 30)
  SSH_AUTH_SOCK          ssh-agent to take keys from, after IdentityFile keys
  XDG_CONFIG_HOME, HOME  where the user's config file is
`
