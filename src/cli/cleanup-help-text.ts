/** The parts of `fanout cleanup --help` after the options. */
export const CLEANUP_HELP_AFTER = `
DESCRIPTION
  A run that was killed, or whose orchestrator lost its hosts, may leave
  things behind that its own cleanup would have removed. On every HOST at
  once, fanout cleanup:
    - stops fanout agents (node .../fanout-agent.XXXXXXXX/agent.mjs) of that
      host: SIGTERM, then SIGKILL after 5 s;
    - removes fanout firewall holes: nft tables inet fanout_<id>, rules
      commented fanout_<id> in other chains, iptables chains FANOUT-<id>;
    - removes shipped agents: \${TMPDIR:-/tmp}/fanout-agent.XXXXXXXX;
    - with HOST:/dir, removes the staging directories /dir/.fanout-*.partial
      (a later run of the same payload would have resumed from them) and
      the temporary links /dir/.fanout-*.link of a --link switch.
  It prints one line per thing removed, or "HOST: nothing to clean". Do not
  run it while a transfer involving the host is running.

EXAMPLES
  fanout cleanup db2 db3                   # agents, firewall holes, temp files
  fanout cleanup db2:/srv db3:/srv         # and the staging directories in /srv
  fanout cleanup --json localhost:/data    # this machine

EXIT STATUS
  0    every host was checked and cleaned
  1    at least one host could not be reached or cleaned (see stderr)
  2    bad usage
`
