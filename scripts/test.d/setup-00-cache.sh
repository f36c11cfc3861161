#!/usr/bin/env bash
# Keeps the shared build cache from filling the disk.
#
# Why: every checkout on a machine builds into one target dir (~/.cache/helm-rs/target) to keep
# CI warm, and every changed test binary is a new 200-500 MB file beside the old ones (cargo
# never deletes superseded artifacts): the dir grows by gigabytes a day and once filled this
# machine's disk. When the dir passes HELM_RS_TARGET_LIMIT_GB (default 40) or the disk has less
# than 8 GB free, this drops incremental state and every executable in deps/ but the newest of
# each name; if that is not enough, the profiles' build dirs go (the next build is cold).
set -uo pipefail
t="${CARGO_TARGET_DIR:-$HOME/.cache/helm-rs/target}"
[ -d "$t" ] || exit 0
limit_gb="${HELM_RS_TARGET_LIMIT_GB:-40}"
# Measures once per check (du walks the whole dir): sets size and free, in GB.
over() {
  size=$(du -s --block-size=1G "$t" 2>/dev/null | cut -f1)
  free=$(df --output=avail --block-size=1G "$t" | tail -1 | tr -d ' ')
  [ "${size:-0}" -gt "$limit_gb" ] || [ "${free:-0}" -lt 8 ]
}
over || exit 0
echo "build cache: $size GB, $free GB free on its disk: pruning"
rm -rf "$t"/*/incremental
for deps in "$t"/*/deps; do
  [ -d "$deps" ] || continue
  declare -A seen=()
  # Newest first; executables are NAME-HASH with no extension.
  while IFS= read -r f; do
    name="${f%-*}"
    if [ -n "${seen[$name]:-}" ]; then
      rm -f "$deps/$f"
    else
      seen[$name]=1
    fi
  done < <(ls -t "$deps" | grep -E '^[A-Za-z0-9_]+-[0-9a-f]{16}$')
  unset seen
done
if over; then
  echo "build cache: still $size GB: removing the build dirs"
  rm -rf "$t"/debug "$t"/release "$t"/dist
  over
fi
echo "build cache: $size GB, $free GB free"
