#!/usr/bin/env bash
# Memory and start-up on a large database, beside redis-server holding the same records.
#  - Start-up: from exec to the port answering PING with +PONG, STARTS times each, median. The
#    proxy opens its LevelDB directory; redis-server reads its dump (it answers -LOADING until
#    then), which is the reference.
#  - Memory: after one random-GET pass over every record (redis-benchmark -r RECORDS), peak RSS
#    (VmHWM) and RSS (VmRSS) of each server. The proxy runs with its default
#    --hot-set-size 64mb --block-cache-size 32mb.
# Targets: proxy RSS < 200 MB; proxy start-up < 2 s.
#
#   bash bench/memory.sh [RECORDS=1000000] [STARTS=5]
#
# Shares the cached database with cold_hits.sh (bench_cached_db). Everything runs on 127.0.0.1
# and is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
RECORDS=${1:-1000000}
STARTS=${2:-5}

source bench/common.sh
bench_begin

bench_cached_db "$RECORDS"

# startup_ms SERVER: one start of SERVER (proxy|redis) on a fresh port, exec to +PONG, then stop.
startup_ms() {
  local port pid
  "bench_start_cached_$1" port || return 1
  pid=${BENCH_PIDS[-1]}
  kill "$pid"; wait "$pid" 2>/dev/null || true
  awk -v a="$BENCH_START_T0" -v b="$BENCH_START_T1" 'BEGIN {printf "%.0f\n", (b - a) * 1000}'
}

echo "start-up on $RECORDS records, exec to +PONG, $STARTS starts each (ms):"
for server in proxy redis; do
  : >"$WORK/start-$server"
  for _ in $(seq 1 "$STARTS"); do startup_ms "$server" >>"$WORK/start-$server"; done
  printf '  %-13s %s\n' "$server" "$(tr '\n' ' ' <"$WORK/start-$server")"
done
PROXY_START=$(bench_median <"$WORK/start-proxy")
REDIS_START=$(bench_median <"$WORK/start-redis")

bench_start_cached_redis REDIS_PORT
REDIS_PID=${BENCH_PIDS[-1]}
bench_start_cached_proxy PROXY_PORT
PROXY_PID=${BENCH_PIDS[-1]}
bench_check_cached "$REDIS_PORT" "$PROXY_PORT" "$RECORDS"
PROXY_RSS_IDLE=$(bench_rss_mb "$PROXY_PID")
for port in "$REDIS_PORT" "$PROXY_PORT"; do bench_rb_pass "$port" "$RECORDS" "$RECORDS"; done

echo
echo "memory with $RECORDS records after a random-GET pass of $RECORDS requests (MB):"
printf '%-22s %12s %12s %8s\n' '' redis-server whois-proxy ratio
# RssAnon is the heap; RssFile is mostly LevelDB's table files, which it maps into memory (pages
# the kernel may drop, but they count toward RSS).
for what in VmRSS VmHWM RssAnon RssFile; do
  r=$(bench_status_mb "$REDIS_PID" "$what"); p=$(bench_status_mb "$PROXY_PID" "$what")
  printf '%-22s %12s %12s %8s\n' "$what" "$r" "$p" "$(bench_ratio "$p" "$r")"
done
echo "(proxy RSS right after start-up: $PROXY_RSS_IDLE MB; on-disk database: $(du -sm \
"$BENCH_DB_DIR/proxy" | cut -f1) MB; redis-server dump: $(du -sm "$BENCH_REDIS_DIR" | cut -f1) MB)"
echo
printf '%-22s %12s %12s %8s\n' 'start-up median ms' "$REDIS_START" "$PROXY_START" \
  "$(bench_ratio "$PROXY_START" "$REDIS_START")"
PROXY_RSS=$(bench_rss_mb "$PROXY_PID")
echo
echo "targets: proxy RSS < 200 MB: $(awk -v x="$PROXY_RSS" 'BEGIN{print (x < 200) ? "met" : "MISSED"}')" \
     "($PROXY_RSS MB); start-up < 2 s: $(awk -v x="$PROXY_START" 'BEGIN{print (x < 2000) ? "met" : "MISSED"}')" \
     "($PROXY_START ms)"
