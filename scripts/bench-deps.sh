#!/usr/bin/env bash
# Installs the system packages the benchmark suite (bench/suite.ts) needs on top of the test ones
# (scripts/ci-deps.sh): the baselines users run today (aria2c, tar | nc, pigz), GNU time for CPU and
# peak RSS of those baselines, ping to check the emulated WAN, gcc to build its delay relay
# (test/helpers/wan-delay.c), and perf for bench/cpu-breakdown.ts.
# Idempotent: apt-get runs only when a package is missing. Must run as root on Debian.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

bash "$(dirname "$0")/ci-deps.sh"

packages=(aria2 pigz netcat-openbsd iputils-ping tar time gcc libc6-dev coreutils linux-perf)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if ((${#missing[@]} > 0)); then
  # Wait for another apt/dpkg run (e.g. a concurrent install) instead of failing on its lock.
  apt-get -o DPkg::Lock::Timeout=300 update
  apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "${missing[@]}"
fi
