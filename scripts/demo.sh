#!/usr/bin/env bash
# A real fan-out on this machine: one source tree, three target directories, each target its own
# agent and webtorrent peer on 127.0.0.1, exchanging pieces through a private tracker. Verifies the
# copies and removes everything it made.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/fanout.mjs ] || npm run build
work=$(mktemp -d "${TMPDIR:-/tmp}/fanout-demo.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
src="$work/source/release"
mkdir -p "$src/lib/modules" "$src/empty" "$work/t1" "$work/t2" "$work/t3"
head -c $((48 << 20)) /dev/urandom >"$src/lib/blob.bin"
for i in $(seq 1 200); do head -c $((RANDOM * 4)) /dev/urandom >"$src/lib/modules/mod-$i.so"; done
echo 'demo config' >"$src/config with spaces & \$dollar.txt"
chmod 600 "$src/config with spaces & \$dollar.txt"
ln -s lib/blob.bin "$src/current"
: >"$src/zero-byte"
echo "fanout demo: copying $(du -sh "$src" | cut -f1) in $(find "$src" | wc -l) entries to 3 targets"
node dist/fanout.mjs "$src" "$work/t1" "$work/t2" "$work/t3"
for t in t1 t2 t3; do
  diff -r --no-dereference "$src" "$work/$t/release"
done
echo "fanout demo: all 3 copies are identical to the source"
