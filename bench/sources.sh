#!/usr/bin/env bash
# Several source addresses against a registry that limits each client address: a fake registry
# on 127.0.0.1 allows RATE queries per second per client address (`--limit-scope address`,
# refusing beyond it by its own count) and logs every connection with the client's address; the
# proxy binds N source addresses (127.0.1.1 .. 127.0.1.N: all of 127/8 is local) with the same
# `upstream-limit whois.nic.test rate RATE/s` and resolves RATE x N x WINDOWS distinct cold
# domains sent all at once. For N = 1, 2, 4, 8 it prints the lookups per second the registry
# served (sustained: after the first window's worth, by the registry's clock), that against
# N x RATE (the target is
# at least 0.95), that against the one-address run of the same invocation (the reference), and
# the registry's own count of violations (refusals, most starts from one address in a window).
#
#   bash bench/sources.sh [RATE] [WINDOWS]     (defaults: 20 and 10)
#
# Everything runs on 127.0.0.0/8 and is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
bench_begin

RATE=${1:-20}
WINDOWS=${2:-10}
bench_test_tld 900

REFERENCE=
run() {
  local n=$1 lookups=$((RATE * $1 * WINDOWS)) name="n$1"
  local log=$WORK/$name.log fake_port proxy_port pid sources=()
  for i in $(seq 1 "$n"); do sources+=("127.0.1.$i"); done
  bench_start_fake_whois fake_port --responses "$WORK/registry.txt" --log "$log" --max-seconds 900 \
    --limit-rate "$RATE/s" --limit-scope address
  bench_start_tld_proxy proxy_port "$name" "$fake_port" --upstream-source-address "${sources[@]}" \
    --upstream-limit whois.nic.test rate "$RATE/s"
  pid=${BENCH_PIDS[-1]}
  bench_warm_up "$proxy_port" "$name" 1000
  bench_client "$MISS_BIN" 127.0.0.1 "$proxy_port" "$lookups" 50 20 0 "$name-" .test >/dev/null
  kill "$pid"
  local refused served per_s
  refused=$(grep -c ' refused' "$log" || true)
  served=$(bench_served_starts "$log" "$name-" | wc -l)
  per_s=$(bench_served_starts "$log" "$name-" | bench_sustained_rate "$((n * RATE))")
  [ -z "$REFERENCE" ] && REFERENCE=$per_s
  printf '%8s %8s %8s %8s %12s %12s %12s %12s\n' "$n" "$lookups" "$served" "$refused" \
    "$(bench_most_per_client "$log" 1000)" "$per_s" "$(bench_ratio "$per_s" "$((n * RATE))")" \
    "$(bench_ratio "$per_s" "$REFERENCE")"
}

echo "registry: $RATE/s per client address; proxy: upstream-limit whois.nic.test rate $RATE/s"
printf '%8s %8s %8s %8s %12s %12s %12s %12s\n' sources lookups served refused 'max/addr/s' \
  'lookups/s' 'vs N*rate' 'vs 1 addr'
for n in 1 2 4 8; do run "$n"; done
echo "targets: 'vs N*rate' >= 0.95; 'refused' 0; 'max/addr/s' (most starts from one address in"
echo "any second, by the registry's clock) at most $RATE."
