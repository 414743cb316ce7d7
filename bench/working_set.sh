#!/usr/bin/env bash
# The crawler's working set, side by side: a database far larger than the proxy's memory, read
# with skewed and with uniform demand. Two cases, each against redis-server holding the same
# records in memory (the reference) and the proxy with its default memory settings (64 MB hot
# set, 32 MB block cache):
#   zipf:    Zipf 0.99 over 5,000,000 records (popular sites again and again, a long tail);
#   uniform: uniform keys over 1,000,000 records (the worst case: almost every GET is cold).
# Each profile (-c 50 -P 1, -c 50 -P 16) runs bench-gets against each server in turn for
# several rounds; prints requests/s and p99 per run, the proxy/redis-server ratios per profile
# (median of rounds), the proxy's RSS, the hot set's hit rate (hot_set_hits / GETs) and each
# server's CPU time per GET (all its threads; steadier than requests/s on a busy machine).
#
#   bash bench/working_set.sh [ROUNDS=3] [CASES="zipf uniform"]
#
# ZIPF_RECORDS / UNIFORM_RECORDS change the record counts; ZIPF_S the exponent; PROXY_ARGS adds
# directives to the proxy (e.g. PROXY_ARGS="--hot-set-size 128mb" to compare a setting).
# The records are loaded once per record count into /tmp (see bench_cached_db) and reused.
# Everything runs on 127.0.0.1 and is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
CASES=${2:-zipf uniform}
ZIPF_RECORDS=${ZIPF_RECORDS:-5000000}
UNIFORM_RECORDS=${UNIFORM_RECORDS:-1000000}
ZIPF_S=${ZIPF_S:-0.99}
read -r -a EXTRA_PROXY_ARGS <<<"${PROXY_ARGS:-}"

source bench/common.sh
bench_begin
GETS_BIN=$BUILD_DIR/bench/bench-gets

declare -A PROFILE_N=(["-c 50 -P 1"]=${N_P1:-200000} ["-c 50 -P 16"]=${N_P16:-800000})
PROFILES=("-c 50 -P 1" "-c 50 -P 16")

# gets PORT PROFILE N RECORDS KEYS...: one bench-gets run; prints "rps p50 p99".
gets() {
  local port=$1 profile=$2 n=$3 records=$4 line
  shift 4
  # shellcheck disable=SC2086
  line=$(bench_client "$GETS_BIN" -p "$port" $profile -n "$n" -r "$records" "$@") || return 1
  awk '{for (i = 1; i <= NF; i++) {split($i, kv, "="); v[kv[1]] = kv[2]}
        if (v["nil"] != 0 || v["errors"] != 0) {print "bad replies: " $0 > "/dev/stderr"; exit 1}
        print v["rps"], v["p50_ms"], v["p99_ms"]}' <<<"$line"
}

run_case() {
  local name=$1 records=$2
  shift 2
  local keys=("$@")  # bench-gets key options (--zipf S, or none for uniform)
  bench_cached_db "$records"
  bench_start_cached_redis REDIS_PORT
  bench_start_cached_proxy PROXY_PORT "${EXTRA_PROXY_ARGS[@]}"
  local ppid=${BENCH_PIDS[-1]} rpid=${BENCH_PIDS[-2]}
  bench_check_cached "$REDIS_PORT" "$PROXY_PORT" "$records"

  # Warm-up: the same demand (another seed), so the hot set and the block cache are in their
  # steady state rather than holding the last records loaded.
  local warm=$(( records < 1000000 ? records : 1000000 ))
  gets "$REDIS_PORT" "-c 50 -P 16" "$((warm / 4))" "$records" --seed 99 "${keys[@]}" >/dev/null
  gets "$PROXY_PORT" "-c 50 -P 16" "$warm" "$records" --seed 99 "${keys[@]}" >/dev/null

  echo
  echo "$name: $records records, keys ${keys[*]:-uniform}; proxy ${EXTRA_PROXY_ARGS[*]:-defaults}" \
       "($(bench_load_average))"
  printf '%-14s %-6s %-12s %12s %9s %9s %9s %9s\n' profile round server 'requests/s' 'p50 ms' \
    'p99 ms' 'hot hits' 'CPU us'
  local profile round target port pid seed=1 rps p50 p99 h0 h1 rate t0 t1 cpu
  local hz
  hz=$(getconf CLK_TCK)
  for profile in "${PROFILES[@]}"; do
    for round in $(seq 1 "$ROUNDS"); do
      seed=$((seed + 1))
      for target in redis proxy; do
        port=$REDIS_PORT pid=$rpid
        [ "$target" = proxy ] && port=$PROXY_PORT pid=$ppid
        rate=
        [ "$target" = proxy ] && h0=$(bench_info "$port" whois hot_set_hits)
        t0=$(bench_cpu_ticks "$pid")
        read -r rps p50 p99 <<<"$(gets "$port" "$profile" "${PROFILE_N[$profile]}" "$records" \
                                   --seed "$seed" "${keys[@]}")"
        t1=$(bench_cpu_ticks "$pid")
        cpu=$(awk -v a="$t0" -v b="$t1" -v hz="$hz" -v n="${PROFILE_N[$profile]}" \
                'BEGIN {printf "%.1f", (b - a) / hz * 1e6 / n}')
        if [ "$target" = proxy ]; then
          h1=$(bench_info "$port" whois hot_set_hits)
          rate=$(awk -v a="$h0" -v b="$h1" -v n="${PROFILE_N[$profile]}" \
                   'BEGIN {printf "%.1f%%", (b - a) * 100 / n}')
        fi
        printf '%-14s %-6s %-12s %12s %9s %9s %9s %9s\n' "$profile" "$round" "$target" "$rps" \
          "$p50" "$p99" "$rate" "$cpu"
        echo "$profile,$target,$rps,$p50,$p99,${rate%\%},$cpu" >>"$WORK/$name.csv"
      done
    done
  done

  echo
  echo "$name: median of $ROUNDS rounds; ratio = proxy / redis-server (requests/s: higher is"
  echo "better; p99: lower is better); hot hits: GETs answered from the hot set; CPU us:"
  echo "server CPU time per GET, redis-server / whois-proxy."
  printf '%-14s %12s %12s %8s %10s %10s %8s %9s %12s\n' profile 'redis rps' 'proxy rps' ratio \
    'redis p99' 'proxy p99' ratio 'hot hits' 'CPU us'
  for profile in "${PROFILES[@]}"; do
    med() { grep -F -- "$profile,$1," "$WORK/$name.csv" | cut -d, -f"$2" | bench_median; }
    local rr pr r99 p99m hit rc pc
    rr=$(med redis 3); pr=$(med proxy 3); r99=$(med redis 5); p99m=$(med proxy 5); hit=$(med proxy 6)
    rc=$(med redis 7); pc=$(med proxy 7)
    printf '%-14s %12s %12s %8s %10s %10s %8s %8s%% %12s\n' "$profile" "$rr" "$pr" \
      "$(bench_ratio "$pr" "$rr")" "$r99" "$p99m" "$(bench_ratio "$p99m" "$r99")" "$hit" \
      "$rc / $pc"
  done
  echo "$name: RSS after the run: redis-server $(bench_rss_mb "$rpid") MB, whois-proxy" \
       "$(bench_rss_mb "$ppid") MB (peak $(bench_hwm_mb "$ppid") MB); hot set" \
       "$(bench_info "$PROXY_PORT" whois hot_set_entries) entries," \
       "$(( $(bench_info "$PROXY_PORT" whois hot_set_bytes) >> 20 )) MB"
  # The next case's redis-server needs the memory this one holds.
  bench_stop_all
}

for c in $CASES; do
  case $c in
    zipf) run_case zipf "$ZIPF_RECORDS" --zipf "$ZIPF_S" ;;
    uniform) run_case uniform "$UNIFORM_RECORDS" ;;
    *) echo "unknown case '$c' (zipf, uniform)" >&2; exit 2 ;;
  esac
done
