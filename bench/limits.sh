#!/usr/bin/env bash
# Upstream limits under saturation: for a few limit shapes, a fake registry on 127.0.0.1 enforces
# the limit itself (refusing beyond it) and logs every connection; the proxy, given the same
# limit with `upstream-limit`, resolves LOOKUPS distinct cold domains sent all at once. Prints,
# per shape, the registry's own count of violations (refusals, the most starts in any window,
# the most connections open at once) and the share of the allowed budget the proxy used.
# Targets: zero violations; utilisation >= 95%.
#
#   bash bench/limits.sh
#
# Everything runs on 127.0.0.1 and is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
bench_begin

bench_test_tld 600

# most_in_window LOG WINDOW_MS: the most served queries arriving in any window (the registry's clock).
most_in_window() {
  awk '$4 == "served" {print $6}' "$1" | sort -n | awk -v w="$2" '
    {t[NR] = $1} END {lo = 1; best = 0
      for (hi = 1; hi <= NR; hi++) { while (t[hi] - t[lo] >= w) lo++; if (hi - lo + 1 > best) best = hi - lo + 1 }
      print best}'
}
# most_concurrent LOG: the most served connections open at once.
most_concurrent() {
  awk '$4 == "served" {print $1, 1; print $2, -1}' "$1" | sort -n -k1,1 -k2,2 |
    awk '{n += $2; if (n > best) best = n} END {print best + 0}'
}

# run NAME LOOKUPS "PROXY LIMIT WORDS" "FAKE FLAGS" WINDOW_MS PER_WINDOW CONCURRENCY LATENCY_MS
run() {
  local name=$1 lookups=$2 limit=$3 fake=$4 window_ms=$5 per_window=$6 conc=$7 latency=$8
  local log=$WORK/$name.log fake_port proxy_port pid
  # shellcheck disable=SC2086
  bench_start_fake_whois fake_port --responses "$WORK/registry.txt" --log "$log" --max-seconds 600 \
    --latency-ms "$latency" $fake
  # shellcheck disable=SC2086
  bench_start_tld_proxy proxy_port "$name" "$fake_port" --upstream-limit whois.nic.test $limit
  pid=${BENCH_PIDS[-1]}
  bench_warm_up "$proxy_port" "$name" "$window_ms"
  local line
  line=$(bench_client "$MISS_BIN" 127.0.0.1 "$proxy_port" "$lookups" 50 20 0 "$name-" .test)
  kill "$pid"
  local refused served first last span util
  refused=$(grep -c ' refused' "$log" || true)
  served=$(bench_served_starts "$log" "$name-" | wc -l)
  first=$(bench_served_starts "$log" "$name-" | sed -n 1p)
  last=$(bench_served_starts "$log" "$name-" | tail -1)
  span=$((last - first))
  if [ "$per_window" -gt 0 ]; then
    # The binding window: starts in the whole windows from the first start, against N per window.
    util=$(bench_served_starts "$log" "$name-" |
      awk -v n="$per_window" -v span="$span" -v w="$window_ms" \
      'NR == 1 {first = $1; k = int(span / w); if (k < 1) k = 1}
       $1 < first + k * w {c++}
       END {printf "%.1f", 100 * c / (k * n)}')
  else
    # Concurrency: time connections were open, against CONCURRENCY x the run's length.
    local end busy
    end=$(awk -v p="$name-" '$4 == "served" && index($3, p) == 1 {print $2}' "$log" | sort -n | tail -1)
    busy=$(awk -v p="$name-" '$4 == "served" && index($3, p) == 1 {b += $2 - $1} END {print b}' "$log")
    util=$(awk -v b="$busy" -v c="$conc" -v span="$((end - first))" \
      'BEGIN {printf "%.1f", 100 * b / (c * span)}')
  fi
  printf '%-22s %7s %8s %8s %12s %12s %9s %s\n' "$name" "$served" "$refused" \
    "$(most_in_window "$log" "$window_ms")" "$(most_concurrent "$log")" \
    "$(tr ' ' '\n' <<<"$line" | awk -F= '$1 == "seconds" {print $2}')" "$util%" \
    "(limit: $limit)"
}

printf '%-22s %7s %8s %8s %12s %12s %9s\n' shape served refused 'max/win' 'max open' seconds \
  utilisation
run rate-50-per-s 500 "rate 50/s" "--limit-rate 50/s" 1000 50 0 0
run rate-10s-40per5s 160 "rate 10/s rate 40/5s" "--limit-rate 40/5s" 5000 40 0 0
run concurrency-4 400 "concurrency 4 rate 1000/s" "--limit-concurrency 4" 1000 0 4 100
echo "violations: 'refused' must be 0, 'max/win' (the binding window) at most its limit, 'max open' at"
echo "most the concurrency; utilisation: starts in the whole windows from the first start against"
echo "N per window (rate shapes), or open-connection time against concurrency x run time."
