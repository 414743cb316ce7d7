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
bench_build

WORK=$(mktemp -d /tmp/wp-bench.XXXXXX)
trap 'bench_stop_all; rm -rf "$WORK"' EXIT

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
redis-benchmark -p "$REDIS_PORT" -c 50 -P 16 -n "$RECORDS" -r "$RECORDS" -q GET 'd__rand_int__.com' >/dev/null
redis-benchmark -p "$PROXY_PORT" -c 50 -P 16 -n "$((RECORDS * 3))" -r "$RECORDS" -q GET 'd__rand_int__.com' >/dev/null

declare -A PROFILE_N=(["-c 50 -P 1"]=200000 ["-c 50 -P 16"]=1000000 ["-c 1 -P 1"]=40000)
PROFILES=("-c 50 -P 1" "-c 50 -P 16" "-c 1 -P 1")

echo
printf '%-14s %-6s %-12s %12s %9s %9s\n' profile round server 'requests/s' 'p50 ms' 'p99 ms'
for profile in "${PROFILES[@]}"; do
  for round in $(seq 1 "$ROUNDS"); do
    for target in redis proxy; do
      port=$REDIS_PORT; [ "$target" = proxy ] && port=$PROXY_PORT
      # shellcheck disable=SC2086
      line=$(bench_client redis-benchmark -p "$port" $profile -n "${PROFILE_N[$profile]}" \
               -r "$RECORDS" --csv GET 'd__rand_int__.com' | tail -n 1)
      IFS=, read -r _ rps _ _ p50 _ p99 _ <<<"$(tr -d '"' <<<"$line")"
      printf '%-14s %-6s %-12s %12s %9s %9s\n' "$profile" "$round" "$target" "$rps" "$p50" "$p99"
      echo "$profile,$target,$rps,$p50,$p99" >>"$WORK/results.csv"
    done
  done
done

echo
echo "median of $ROUNDS rounds; ratio = proxy / redis-server (requests/s: higher is better;"
echo "p99: lower is better). Targets: requests/s ratio >= 0.90, p99 ratio <= 1.50."
printf '%-14s %12s %12s %8s %10s %10s %8s\n' profile 'redis rps' 'proxy rps' ratio \
  'redis p99' 'proxy p99' ratio
for profile in "${PROFILES[@]}"; do
  med() { grep -F -- "$profile,$1," "$WORK/results.csv" | cut -d, -f"$2" | sort -g |
          awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
  rr=$(med redis 3); pr=$(med proxy 3); r99=$(med redis 5); p99=$(med proxy 5)
  printf '%-14s %12s %12s %8s %10s %10s %8s\n' "$profile" "$rr" "$pr" \
    "$(awk -v a="$pr" -v b="$rr" 'BEGIN{printf "%.2f", a/b}')" "$r99" "$p99" \
    "$(awk -v a="$p99" -v b="$r99" 'BEGIN{if (b>0) printf "%.2f", a/b; else print "n/a"}')"
done
echo
echo "RSS after the run: redis-server $(bench_rss_mb "${BENCH_PIDS[0]}") MB," \
     "whois-proxy $(bench_rss_mb "${BENCH_PIDS[1]}") MB"
