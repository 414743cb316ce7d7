#!/usr/bin/env bash
# Hit path, side by side: redis-server and whois-proxy hold the same records; the same
# redis-benchmark invocation runs against each, alternating, for several rounds. Prints
# requests/s, p50 and p99 per run and the proxy/redis-server ratio per profile (median of rounds).
#
#   bash bench/hit_path.sh [RECORDS=100000] [ROUNDS=3]
#
# Everything runs on 127.0.0.1 and is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
RECORDS=${1:-100000}
ROUNDS=${2:-3}

source bench/common.sh
bench_begin

# The records are ~1.6 KB of JSON each; the hot set is sized to hold them all, as an operator
# would for a working set that fits in memory (the cold-hit benchmark measures the other case).
HOT_SET=$(( RECORDS * 2600 ))
bench_start_server REDIS_PORT "$SERVER_CPU" "$WORK/redis.log" redis-server --port '{port}' \
  --bind 127.0.0.1 --save '' --appendonly no --daemonize no --logfile "$WORK/redis.log"
bench_start_server PROXY_PORT "$SERVER_CPU" "$WORK/proxy.log" "$PROXY_BIN" --port '{port}' \
  --bind 127.0.0.1 --dir "$WORK/proxy" --hot-set-size "$HOT_SET" "${PROXY_OFFLINE_ARGS[@]}" \
  --logfile "$WORK/proxy.log"

echo "loading $RECORDS records into each server"
"$LOAD_BIN" 127.0.0.1 "$REDIS_PORT" "$RECORDS"
"$LOAD_BIN" 127.0.0.1 "$PROXY_PORT" "$RECORDS"
# Warm the proxy's hot set (and redis-server's allocator) with one sequential pass.
bench_rb_pass "$REDIS_PORT" "$RECORDS" "$RECORDS"
bench_rb_pass "$PROXY_PORT" "$((RECORDS * 3))" "$RECORDS"

PROFILES=("-c 50 -P 1=200000" "-c 50 -P 16=1000000" "-c 1 -P 1=40000")

echo
bench_rb_rounds "$WORK/results.csv" "$RECORDS" "$ROUNDS" "redis=$REDIS_PORT proxy=$PROXY_PORT" \
  "${PROFILES[@]}"

echo
echo "median of $ROUNDS rounds; ratio = proxy / redis-server (requests/s: higher is better;"
echo "p99: lower is better). Targets: requests/s ratio >= 0.90, p99 ratio <= 1.50."
bench_rb_summary "$WORK/results.csv" redis proxy "${PROFILES[@]}"
echo
echo "RSS after the run: redis-server $(bench_rss_mb "${BENCH_PIDS[0]}") MB," \
     "whois-proxy $(bench_rss_mb "${BENCH_PIDS[1]}") MB"
