#!/usr/bin/env bash
# Checks bench-gets against redis-benchmark: both send uniform random GETs to the same
# redis-server (holding RECORDS records), with the same connections and pipeline, alternating for
# several rounds; prints requests/s and p50/p99 of each and the bench-gets/redis-benchmark ratio
# (median of rounds). They should agree within 5%.
#
#   bash bench/gets_check.sh [RECORDS=1000000] [ROUNDS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
RECORDS=${1:-1000000}
ROUNDS=${2:-3}

source bench/common.sh
bench_begin
GETS_BIN=$BUILD_DIR/bench/bench-gets

bench_cached_db "$RECORDS"
bench_start_cached_redis REDIS_PORT

declare -A PROFILE_N=(["-c 50 -P 1"]=200000 ["-c 50 -P 16"]=1000000)
bench_load_average
printf '%-14s %-6s %-16s %12s %9s %9s\n' profile round tool 'requests/s' 'p50 ms' 'p99 ms'
for profile in "-c 50 -P 1" "-c 50 -P 16"; do
  for round in $(seq 1 "$ROUNDS"); do
    read -r rps p50 p99 <<<"$(bench_rb "$REDIS_PORT" "$profile" "${PROFILE_N[$profile]}" "$RECORDS")"
    printf '%-14s %-6s %-16s %12s %9s %9s\n' "$profile" "$round" redis-benchmark "$rps" "$p50" "$p99"
    echo "$profile,rb,$rps,$p50,$p99" >>"$WORK/r.csv"
    # shellcheck disable=SC2086
    line=$(bench_client "$GETS_BIN" -p "$REDIS_PORT" $profile -n "${PROFILE_N[$profile]}" \
             -r "$RECORDS" --seed "$round")
    read -r rps p50 p99 <<<"$(awk '{for (i = 1; i <= NF; i++) {split($i, kv, "="); v[kv[1]] = kv[2]}
                                     print v["rps"], v["p50_ms"], v["p99_ms"]}' <<<"$line")"
    printf '%-14s %-6s %-16s %12s %9s %9s\n' "$profile" "$round" bench-gets "$rps" "$p50" "$p99"
    echo "$profile,bg,$rps,$p50,$p99" >>"$WORK/r.csv"
  done
done
echo
echo "median of $ROUNDS rounds; ratio = bench-gets / redis-benchmark"
printf '%-14s %16s %12s %8s %10s %10s\n' profile 'redis-benchmark' 'bench-gets' ratio 'rb p99' 'bg p99'
for profile in "-c 50 -P 1" "-c 50 -P 16"; do
  med() { grep -F -- "$profile,$1," "$WORK/r.csv" | cut -d, -f"$2" | bench_median; }
  a=$(med rb 3); b=$(med bg 3)
  printf '%-14s %16s %12s %8s %10s %10s\n' "$profile" "$a" "$b" "$(bench_ratio "$b" "$a")" \
    "$(med rb 5)" "$(med bg 5)"
done
