#!/usr/bin/env bash
# Every benchmark, one after the other, with the figures the issue asks for; builds once first.
# About 11 minutes on a 2-core machine (fleet.sh is 4 of them: it imports RECORDS records into a
# proxy with a fleet each time), plus about 3 more the first time, when the million-record
# database shared by cold_hits.sh and memory.sh is built (kept in /tmp/wp-bench-db-*).
#
#   bash bench/run_all.sh [RECORDS=1000000] [LOOKUPS=20000]
#
# Prints the machine, then each benchmark's output; a copy of everything goes to
# /tmp/wp-bench-results.txt. Exits non-zero if any benchmark failed (the others still run).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
RECORDS=${1:-1000000}
LOOKUPS=${2:-20000}
OUT=${BENCH_OUT:-/tmp/wp-bench-results.txt}

source bench/common.sh
bench_build || { echo "build failed" >&2; exit 1; }
export BENCH_SKIP_BUILD=1

{
  echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)," \
       "kernel $(uname -r), $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo)" \
       "RAM; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo '?')" \
       "$(git diff --quiet HEAD 2>/dev/null || echo '(with uncommitted changes)')"
} | tee "$OUT"

failed=()
run() {
  local name=$1; shift
  local t0=$EPOCHREALTIME
  echo | tee -a "$OUT"
  echo "=== $name: bash $* ===" | tee -a "$OUT"
  bash "$@" 2>&1 | tee -a "$OUT"
  local rc=${PIPESTATUS[0]}
  [ "$rc" = 0 ] || failed+=("$name (exit $rc)")
  awk -v a="$t0" -v b="$EPOCHREALTIME" -v n="$name" 'BEGIN {printf "(%s took %.0f s)\n", n, b - a}' |
    tee -a "$OUT"
}

run "hit path" bench/hit_path.sh 100000 3
run "cold hits" bench/cold_hits.sh "$RECORDS" 3
run "memory and start-up" bench/memory.sh "$RECORDS" 5
run "miss path" bench/miss_path.sh "$LOOKUPS" 100 4
run "upstream limits" bench/limits.sh
run "source addresses" bench/sources.sh
run "crawler's month" bench/crawler_month.sh 100000 50 60 5
run "fleet" bench/fleet.sh "$RECORDS"

echo | tee -a "$OUT"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); results in $OUT" | tee -a "$OUT"
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}" | tee -a "$OUT"
  exit 1
fi
