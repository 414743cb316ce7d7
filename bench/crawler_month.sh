#!/usr/bin/env bash
# A crawler's month in minutes. RECORDS known domains (k<i>.test), all stale (as after
# ttl-registered), asked for by CLIENTS crawler connections with Zipf demand (one GET in flight
# each) for SECONDS, while the registry (fake-whois, whois.nic.test) allows RATE queries a second
# and refuses beyond that by its own count. The same load first runs against a proxy holding the
# same records fresh: the hit path, measured in the same run as the reference.
#
# Prints: the share of GETs of known domains answered with the known record at once (target
# 100%), their p99 beside the hit path's (target within 1.2x), refreshes per second beside the
# allowed rate (target >= 95%), the registry's refusals and busiest second (limit violations,
# target 0), and records lost (target 0: every domain still holds a registered record).
#
#   bash bench/crawler_month.sh [RECORDS=100000] [CLIENTS=50] [SECONDS=60] [RATE=5]
#
# Everything runs on 127.0.0.1 and is stopped at the end. Exits 1 if a server fails to start or a
# target is missed.
set -euo pipefail
cd "$(dirname "$0")/.."
RECORDS=${1:-100000}
CLIENTS=${2:-50}
SECONDS_RUN=${3:-60}
RATE=${4:-5}

source bench/common.sh
bench_begin
CRAWLER_BIN=$BUILD_DIR/bench/bench-crawler

mkdir -p "$WORK/iana"
now_ms() { date +%s%3N; }

printf '%s\r\n' '% IANA WHOIS server' '' 'domain:       TEST' '' 'whois:        whois.nic.test' \
  '' 'status:       ACTIVE' >"$WORK/iana/test"
# What the registry says now: the owner changed since the records were learned.
printf '%s\r\n' 'Domain Name: {QUERY}' 'Registrar: Example Registrar, Inc.' \
  'Registrar IANA ID: 376' 'Creation Date: 2009-03-10T10:22:31Z' \
  'Registry Expiry Date: 2028-03-10T10:22:31Z' 'Registrant Organization: New Owner AG' \
  'Registrant Country: DE' 'Name Server: ns1.hosting.example' 'Name Server: ns2.hosting.example' \
  >"$WORK/registry.txt"
bench_start_fake_whois IANA_PORT --responses "$WORK/iana" --log "$WORK/iana.log" --max-seconds 1800
bench_start_fake_whois REGISTRY_PORT --responses "$WORK/registry.txt" --log "$WORK/registry.log" \
  --limit-rate "$RATE/s" --max-seconds 1800

echo "crawler's month: $RECORDS known domains, $CLIENTS clients with Zipf demand for" \
     "${SECONDS_RUN}s, a registry allowing $RATE queries/s"

# 1. The hit path: the same records, fresh, no upstream at all.
bench_start_server REF_PORT "$SERVER_CPU" "$WORK/ref.log" "$PROXY_BIN" --port '{port}' \
  --bind 127.0.0.1 --dir "$WORK/ref" "${PROXY_OFFLINE_ARGS[@]}" --logfile "$WORK/ref.log"
REF_PID=${BENCH_PIDS[-1]}
"$CRAWLER_BIN" load 127.0.0.1 "$REF_PORT" "$RECORDS" 0 >/dev/null
ref=$(bench_client "$CRAWLER_BIN" run 127.0.0.1 "$REF_PORT" "$RECORDS" "$CLIENTS" "$SECONDS_RUN")
kill "$REF_PID"

# 2. The month: the same records, all stale, and the rate-limited registry behind the proxy.
bench_start_server PORT "$SERVER_CPU" "$WORK/proxy.log" "$PROXY_BIN" --port '{port}' \
  --bind 127.0.0.1 --dir "$WORK/proxy" --bundled-directory no --lookup-order whois-only \
  --upstream-address whois.iana.org "127.0.0.1:$IANA_PORT" \
  --upstream-address whois.nic.test "127.0.0.1:$REGISTRY_PORT" \
  --upstream-limit whois.nic.test rate "$RATE/s" --logfile "$WORK/proxy.log"
PROXY_PID=${BENCH_PIDS[-1]}
"$CRAWLER_BIN" load 127.0.0.1 "$PORT" "$RECORDS" 1 >/dev/null  # stale a millisecond later
redis-cli -p "$PORT" WHOIS.SERVER test >/dev/null                # the directory knows .test
t0=$(now_ms)
run=$(bench_client "$CRAWLER_BIN" run 127.0.0.1 "$PORT" "$RECORDS" "$CLIENTS" "$SECONDS_RUN")
t1=$(now_ms)
verify=$("$CRAWLER_BIN" verify 127.0.0.1 "$PORT" "$RECORDS")
dbsize=$(bench_dbsize "$PORT")
stale_served=$(bench_info "$PORT" whois stale_served)
succeeded=$(bench_info "$PORT" whois refreshes_succeeded)
failed=$(bench_info "$PORT" whois refreshes_failed)
kept=$(bench_info "$PORT" whois refresh_kept_record)
history=$(redis-cli -p "$PORT" WHOIS.HISTORY k0.test | grep -c 'Known Owner' || true)
rss=$(bench_rss_mb "$PROXY_PID")
bench_stop_all

# What the registry saw during the run (its log is written as connections close).
served=$(awk -v a="$t0" -v b="$t1" '$4 == "served" && $1 >= a && $1 <= b' "$WORK/registry.log" | wc -l)
refused=$(awk '$4 ~ /^refused/' "$WORK/registry.log" | wc -l)
busiest=$(awk '$4 == "served" {print $1}' "$WORK/registry.log" | sort -n |
          awk '{t[NR]=$1; while (t[NR] - t[lo+1] >= 1000) lo++; if (NR - lo > m) m = NR - lo} END {print m+0}')
requests=$(bench_kv "$run" requests)
known=$(( $(bench_kv "$run" stale) + $(bench_kv "$run" fresh) ))
share=$(awk -v k="$known" -v n="$requests" 'BEGIN {printf "%.3f", 100 * k / n}')
p99_ratio=$(bench_ratio "$(bench_kv "$run" p99_us)" "$(bench_kv "$ref" p99_us)")
seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", (b - a) / 1000}')
refresh_rate=$(awk -v n="$served" -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", n * 1000 / (b - a)}')
rate_share=$(awk -v r="$refresh_rate" -v l="$RATE" 'BEGIN {printf "%.1f", 100 * r / l}')
lost=$(( RECORDS - $(bench_kv "$verify" registered) ))

printf '  %-44s %s\n' \
  'hit path (fresh records): rps, p50/p99 us' "$(bench_kv "$ref" rps), $(bench_kv "$ref" p50_us) / $(bench_kv "$ref" p99_us)" \
  'all stale: rps, p50/p99 us' "$(bench_kv "$run" rps), $(bench_kv "$run" p50_us) / $(bench_kv "$run" p99_us)" \
  'p99 stale / hit path' "$p99_ratio (target <= 1.20)" \
  'GETs answered with the known record' "$known of $requests = $share% (target 100%)" \
  '  of which served stale / already refreshed' "$(bench_kv "$run" stale) / $(bench_kv "$run" fresh)" \
  '  fallback / other replies' "$(bench_kv "$run" fallback) / $(bench_kv "$run" other)" \
  'refreshes per second (registry log)' "$served in ${seconds}s = $refresh_rate/s, $rate_share% of $RATE/s (target >= 95%)" \
  'registry refusals, busiest second' "$refused, $busiest (limit $RATE)" \
  'records lost' "$lost (registered $(bench_kv "$verify" registered), missing $(bench_kv "$verify" missing), other $(bench_kv "$verify" other); DBSIZE $dbsize)" \
  'INFO stale_served, refreshes ok/failed, kept' "$stale_served, $succeeded/$failed, $kept" \
  'k0.test history holds the old owner' "$history version(s)" \
  'proxy RSS MB at the end' "$rss"

ok=1
awk -v s="$share" 'BEGIN {exit !(s >= 100)}' || { echo "MISSED: share $share% < 100%" >&2; ok=0; }
awk -v r="$p99_ratio" 'BEGIN {exit !(r <= 1.2)}' || { echo "MISSED: p99 ratio $p99_ratio > 1.2" >&2; ok=0; }
awk -v r="$rate_share" 'BEGIN {exit !(r >= 95)}' || { echo "MISSED: refresh rate $rate_share% < 95%" >&2; ok=0; }
[ "$refused" = 0 ] || { echo "MISSED: the registry refused $refused queries" >&2; ok=0; }
[ "$lost" = 0 ] || { echo "MISSED: $lost records lost" >&2; ok=0; }
[ "$ok" = 1 ]
