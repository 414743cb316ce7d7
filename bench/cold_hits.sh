#!/usr/bin/env bash
# Cold hits, side by side: the data set is larger than the proxy's hot set and LevelDB block
# cache (defaults: --hot-set-size 64mb --block-cache-size 32mb; a million records are ~1.6 GB
# of JSON), so most random GETs go to LevelDB. redis-server holds the same records in memory and
# is the reference. The same redis-benchmark random-GET runs alternate between the two for
# several rounds; prints requests/s and p99 per run and the proxy/redis-server ratio per profile
# (median of rounds).
#
#   bash bench/cold_hits.sh [RECORDS=1000000] [ROUNDS=3]
#
# The records are loaded once per RECORDS into /tmp/wp-bench-db-* and /tmp/wp-bench-redis-* (see bench_cached_db) and
# reused. Everything runs on 127.0.0.1 and is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
RECORDS=${1:-1000000}
ROUNDS=${2:-3}
HOT_SET=${HOT_SET:-64mb}
BLOCK_CACHE=${BLOCK_CACHE:-32mb}

source bench/common.sh
bench_begin

bench_cached_db "$RECORDS"

bench_start_cached_redis REDIS_PORT
bench_start_cached_proxy PROXY_PORT --hot-set-size "$HOT_SET" --block-cache-size "$BLOCK_CACHE"
bench_check_cached "$REDIS_PORT" "$PROXY_PORT" "$RECORDS"

# A short random pass each, so the hot set and block cache are in their steady state (holding a
# random few percent of the records) rather than holding the last records loaded.
WARM=$(( RECORDS < 200000 ? RECORDS : 200000 ))
bench_rb_pass "$REDIS_PORT" "$WARM" "$RECORDS"
bench_rb_pass "$PROXY_PORT" "$WARM" "$RECORDS"

PROFILES=("-c 50 -P 1=${N_P1:-100000}" "-c 50 -P 16=${N_P16:-400000}")

echo
echo "cold hits: $RECORDS records, proxy --hot-set-size $HOT_SET --block-cache-size $BLOCK_CACHE"
bench_rb_rounds "$WORK/results.csv" "$RECORDS" "$ROUNDS" "redis=$REDIS_PORT proxy=$PROXY_PORT" \
  "${PROFILES[@]}"

echo
echo "median of $ROUNDS rounds; ratio = proxy / redis-server (requests/s: higher is better;"
echo "p99: lower is better)."
bench_rb_summary "$WORK/results.csv" redis proxy "${PROFILES[@]}"
echo
echo "RSS after the run: redis-server $(bench_rss_mb "${BENCH_PIDS[-2]}") MB," \
     "whois-proxy $(bench_rss_mb "${BENCH_PIDS[-1]}") MB"
