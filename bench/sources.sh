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
bench_build

RATE=${1:-20}
WINDOWS=${2:-10}
WORK=$(mktemp -d /tmp/wp-bench.XXXXXX)
trap 'bench_stop_all; rm -rf "$WORK"' EXIT
mkdir -p "$WORK/iana"
printf '%s\r\n' 'domain:       TEST' '' 'whois:        whois.nic.test' >"$WORK/iana/test"
printf '%s\r\n' 'Domain Name: {QUERY}' 'Registrar: Example Registrar, Inc.' \
  'Creation Date: 1995-08-14T04:00:00Z' 'Name Server: NS1.HOSTING.EXAMPLE' >"$WORK/registry.txt"
bench_start_fake_whois IANA_PORT --responses "$WORK/iana" --log "$WORK/iana.log" --max-seconds 900

# starts LOG PREFIX: arrival times (the registry's clock) of the run's served queries, sorted.
starts() { awk -v p="$2" '$4 == "served" && index($3, p) == 1 {print $6}' "$1" | sort -n; }
# most_per_client LOG WINDOW_MS: the most served queries from one client address in any window.
most_per_client() {
  awk '$4 == "served" {print $7, $6}' "$1" | sort -k1,1 -k2,2n | awk -v w="$2" '
    $1 != c {c = $1; lo = NR} {t[NR] = $2; while (t[NR] - t[lo] >= w) lo++
      if (NR - lo + 1 > best) best = NR - lo + 1} END {print best + 0}'
}

REFERENCE=
run() {
  local n=$1 lookups=$((RATE * $1 * WINDOWS)) name="n$1"
  local log=$WORK/$name.log fake_port proxy_port pid sources=()
  for i in $(seq 1 "$n"); do sources+=("127.0.1.$i"); done
  bench_start_fake_whois fake_port --responses "$WORK/registry.txt" --log "$log" --max-seconds 900 \
    --limit-rate "$RATE/s" --limit-scope address
  bench_start_server proxy_port "$SERVER_CPU" "$WORK/proxy-$name.log" "$PROXY_BIN" --port '{port}' \
    --bind 127.0.0.1 \
    --dir "$WORK/proxy-$name" --bundled-directory no --lookup-order whois-only \
    --lookup-timeout 600000 \
    --upstream-address whois.iana.org "127.0.0.1:$IANA_PORT" \
    --upstream-address whois.nic.test "127.0.0.1:$fake_port" \
    --upstream-source-address "${sources[@]}" \
    --upstream-limit whois.iana.org concurrency 100 \
    --upstream-limit whois.nic.test rate "$RATE/s" --logfile "$WORK/proxy-$name.log"
  pid=${BENCH_PIDS[-1]}
  redis-cli -p "$proxy_port" GET "warmup-$name.test" >/dev/null
  sleep 1.3  # the warm-up's start leaves the window: the run starts on empty ones
  bench_client "$MISS_BIN" 127.0.0.1 "$proxy_port" "$lookups" 50 20 0 "$name-" .test >/dev/null
  kill "$pid"
  local refused served per_s
  refused=$(grep -c ' refused' "$log" || true)
  served=$(starts "$log" "$name-" | wc -l)
  # The sustained rate. The run's first window's worth of starts (K = N x RATE) goes out at
  # once; in steady state each later start comes exactly one (enforced) window after the start
  # K before it. So the rate is the starts after the K-th over the time from the K-th to the
  # last: one whole window per K whatever the first window's spread, no credit for a window
  # the run did not wait for.
  per_s=$(starts "$log" "$name-" | awk -v k="$((n * RATE))" \
    '{t[NR] = $1} END {if (NR > k && t[NR] > t[k]) printf "%.1f", 1000 * (NR - k) / (t[NR] - t[k]); else print "?"}')
  [ -z "$REFERENCE" ] && REFERENCE=$per_s
  printf '%8s %8s %8s %8s %12s %12s %12s %12s\n' "$n" "$lookups" "$served" "$refused" \
    "$(most_per_client "$log" 1000)" "$per_s" "$(bench_ratio "$per_s" "$((n * RATE))")" \
    "$(bench_ratio "$per_s" "$REFERENCE")"
}

echo "registry: $RATE/s per client address; proxy: upstream-limit whois.nic.test rate $RATE/s"
printf '%8s %8s %8s %8s %12s %12s %12s %12s\n' sources lookups served refused 'max/addr/s' \
  'lookups/s' 'vs N*rate' 'vs 1 addr'
for n in 1 2 4 8; do run "$n"; done
echo "targets: 'vs N*rate' >= 0.95; 'refused' 0; 'max/addr/s' (most starts from one address in"
echo "any second, by the registry's clock) at most $RATE."
