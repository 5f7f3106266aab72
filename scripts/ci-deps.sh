#!/usr/bin/env bash
# Installs the system packages the integration tests need: the virtual cluster in test/helpers/
# (sshd, ip, tc, nsenter), nftables and iptables for the firewall code, tcpdump to look at the wire,
# ping and a C compiler for the two-site cluster tests (they measure the emulated WAN with ping and
# build its delay relay, test/helpers/wan-delay.c), zstd for the stream's --codec zstd, and MariaDB
# (server, client, mariadb-backup) for the database-replica tests, which start their own servers
# inside the cluster's hosts (test/helpers/mariadb.ts).
# Idempotent: apt-get runs only when a package is missing. Must run as root on Debian.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

packages=(openssh-server openssh-client iproute2 nftables iptables util-linux procps tcpdump iputils-ping gcc libc6-dev zstd
  mariadb-server mariadb-backup mariadb-client)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if ((${#missing[@]} > 0)); then
  # A policy-rc.d that exits 101 keeps the postinsts of openssh-server and mariadb-server from
  # starting a system sshd or mariadbd: the tests run their own per network namespace and must not
  # depend on (or collide with) one.
  policy=/usr/sbin/policy-rc.d
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  # Wait for another apt/dpkg run (e.g. a concurrent install) instead of failing on its lock.
  apt-get -o DPkg::Lock::Timeout=300 update
  apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "${packages[@]}"
fi

# sshd refuses to start without its privilege-separation directory, which the package only
# creates at boot (tmpfiles.d), not at install time in a container.
mkdir -p /run/sshd
chmod 0755 /run/sshd

# A system mariadbd would hold port 3306 and /run/mysqld in the root namespace, and the tests need
# neither. Where a service manager or an existing policy-rc.d let the package start one anyway, stop
# it (by the pid in its own pid file, never by name) and keep it from starting at boot.
if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null; then
  systemctl disable --now mariadb.service 2>/dev/null || true
fi
pidfile=/run/mysqld/mysqld.pid
if [[ -s $pidfile ]]; then
  pid=$(<"$pidfile")
  if [[ $(cat "/proc/$pid/comm" 2>/dev/null) == mariadbd ]]; then
    kill -TERM "$pid"
    for _ in $(seq 60); do [[ -e /proc/$pid ]] || break; sleep 0.5; done
    if [[ -e /proc/$pid ]]; then kill -KILL "$pid"; fi
  fi
fi
