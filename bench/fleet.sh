#!/usr/bin/env bash
# The fleet (issue 17): proxies sharing their records through one redis-server. Three parts:
#
# scaling  Lookups per second (misses resolved upstream) with 1, 2 and 3 proxies on distinct
#          source addresses (127.0.0.11 .. 127.0.0.13) sharing one redis-server, against a fake
#          registry that allows RATE queries per second per client address (`--limit-rate RATE/s
#          --limit-scope address`, refusing beyond it by its own count); each proxy has
#          `upstream-limit whois.nic.test rate RATE/s` and resolves RATE x WINDOWS distinct cold
#          domains of its own, all sent at once, every proxy at the same time. A miss asks Redis
#          first and the record it resolves is written there. Prints the fleet's sustained
#          lookups per second by the registry's clock (as sources.sh), that against N x the
#          one-proxy run of the same invocation (target >= 0.9), the registry's violations, and
#          what reached Redis.
# hits     GET throughput of a proxy with `fleet-redis` beside the same proxy without, the same
#          HIT_RECORDS records in each (all hits, hot sets holding them all), the same
#          redis-benchmark runs alternating (the order swapped every second round), median of
#          ROUNDS rounds, each round's ratio, and the proxies' CPU time per GET over all the runs
#          (steadier than requests/s on a shared machine); target: ratios within 5%. Redis's
#          stats are reset before the runs; INFO commandstats afterwards must show no command
#          from the proxy (hits never touch Redis).
# bytes    Bytes per record in Redis at RECORDS records, written by the real path: RECORDS
#          records imported into a proxy with pipelined SETs (bench-load, what
#          `whois-proxy-cli import` does), each of which the proxy publishes to Redis (record
#          head compressed with the record dictionary, expiry). The records are real ones: the
#          WHOIS replies of ../shared/data/whois-samples (or $WP_SHARED/data/whois-samples)
#          parsed by the project's parser at run time (bench-records; ~1,600 registered records
#          of many registries and registrars), each loaded under many domain names; without
#          that data, bench-load's one synthetic shape, with a warning. Prints used_memory's
#          growth per record and the mean of `MEMORY USAGE key SAMPLES 0` over SAMPLE random
#          keys (target <= 700 B), beside the value's and the JSON's mean size.
# keys     Where a record's bytes go besides its value: RECORDS keys written by one Lua script into
#          a fresh redis-server, as the fleet writes them (`{wp:d<12 digits>.com}r`, a value of
#          the bytes part's mean length (VALUE_BYTES when that part did not run, default 243),
#          PX 30 days) and with one thing changed each: no expiry, a 1-byte value, a key
#          without the hash tag and suffix. Prints used_memory's growth per key for each.
#
#   bash bench/fleet.sh [RECORDS=1000000] [RATE=50] [WINDOWS=8] [HIT_RECORDS=100000] [ROUNDS=3]
#
# BENCH_FLEET_PARTS (default "scaling hits bytes keys") picks the parts; SAMPLE (default 1000) the
# keys MEMORY USAGE is asked about. Each part starts its own redis-server. The load average is
# printed beside each part's figures. Everything runs on 127.0.0.0/8 and is stopped at the end;
# nothing is kept (the bytes part's proxy database lives in a temporary directory).
set -euo pipefail
cd "$(dirname "$0")/.."
RECORDS=${1:-1000000}
RATE=${2:-50}
WINDOWS=${3:-8}
HIT_RECORDS=${4:-100000}
ROUNDS=${5:-3}
SAMPLE=${SAMPLE:-1000}
PARTS=${BENCH_FLEET_PARTS:-scaling hits bytes keys}
VALUE_BYTES=${VALUE_BYTES:-243}

source bench/common.sh
bench_begin

# start_fleet_redis VAR NAME: a fresh redis-server for the fleet (no persistence), not pinned:
# the proxies it serves are pinned to the server CPU, the clients to the other.
start_fleet_redis() {
  bench_start_server "$1" "" "$WORK/redis-$2.log" redis-server --port '{port}' --bind 127.0.0.1 \
    --save '' --appendonly no --daemonize no --logfile "$WORK/redis-$2.log"
}

# fleet_sum FIELD PORT...: the sum of an INFO fleet field over the proxies on PORTs.
fleet_sum() {
  local field=$1 port total=0 v
  shift
  for port in "$@"; do
    v=$(bench_info "$port" fleet "$field")
    total=$((total + ${v:-0}))
  done
  echo "$total"
}

# ---- scaling ---------------------------------------------------------------------------------
REFERENCE=
# scaling_run N REDIS_PORT: N proxies, one fresh fake registry (its log is this run's), one
# client per proxy, all at once.
scaling_run() {
  local n=$1 redis_port=$2 name="n$1" lookups=$((RATE * WINDOWS))
  local log=$WORK/n$1.log fake_port port k ports=() proxies=() clients=()
  bench_start_fake_whois fake_port --responses "$WORK/registry.txt" --log "$log" --max-seconds 900 \
    --limit-rate "$RATE/s" --limit-scope address
  for k in $(seq 1 "$n"); do
    bench_start_tld_proxy port "$name-p$k" "$fake_port" \
      --upstream-source-address "127.0.0.$((10 + k))" --upstream-limit whois.nic.test rate "$RATE/s" \
      --fleet-redis "127.0.0.1:$redis_port" --fleet-node-name "bench-$name-p$k"
    ports+=("$port")
    proxies+=("${BENCH_PIDS[-1]}")
  done
  for k in $(seq 1 "$n"); do bench_warm_up "${ports[k - 1]}" "$name-p$k" 1000; done
  local keys0 load
  keys0=$(bench_dbsize "$redis_port")
  load=$(cut -d' ' -f1 /proc/loadavg)
  for k in $(seq 1 "$n"); do
    bench_client "$MISS_BIN" 127.0.0.1 "${ports[k - 1]}" "$lookups" 50 20 0 "$name-p$k-" .test \
      >"$WORK/$name-p$k.out" &
    clients+=($!)
  done
  local failed=0 pid
  for pid in "${clients[@]}"; do wait "$pid" || failed=1; done
  [ "$failed" = 0 ] || { echo "a client of the $n-proxy run failed" >&2; return 1; }
  # Every resolved record is written in the background: give the last writes a moment.
  local keys want=$((n * lookups))
  for _ in $(seq 1 100); do
    keys=$(($(bench_dbsize "$redis_port") - keys0))
    [ "$keys" -ge "$want" ] && break
    sleep 0.05
  done
  local asked written failures
  asked=$(fleet_sum fleet_record_fetch_misses "${ports[@]}")
  written=$(fleet_sum fleet_record_writes "${ports[@]}")
  failures=$(fleet_sum fleet_command_failures "${ports[@]}")
  for pid in "${proxies[@]}"; do kill "$pid"; done
  local refused served per_s per_proxy=
  refused=$(grep -c ' refused' "$log" || true)
  served=$(bench_served_starts "$log" "$name-" | wc -l)
  per_s=$(bench_served_starts "$log" "$name-" | bench_sustained_rate "$((n * RATE))")
  for k in $(seq 1 "$n"); do
    per_proxy+="${per_proxy:+/}$(bench_served_starts "$log" "$name-p$k-" | bench_sustained_rate "$RATE")"
  done
  [ -z "$REFERENCE" ] && REFERENCE=$per_s
  printf '%7s %7s %7s %7s %9s %10s %16s %9s %9s %7s %7s %7s %8s %5s\n' "$n" "$want" "$served" \
    "$refused" "$(bench_most_per_client "$log" 1000)" "$per_s" "$per_proxy" \
    "$(bench_ratio "$per_s" "$((n * RATE))")" \
    "$(bench_ratio "$per_s" "$(awk -v r="$REFERENCE" -v n="$n" 'BEGIN {print r * n}')")" \
    "$asked" "$written" "$keys" "$failures" "$load"
}

scaling() {
  local redis_port n
  start_fleet_redis redis_port scaling
  bench_test_tld 900
  echo "== scaling: proxies sharing one redis-server; registry: $RATE/s per client address;"
  echo "   each proxy: upstream-limit whois.nic.test rate $RATE/s, its own source address and"
  echo "   $((RATE * WINDOWS)) domains; $(bench_load_average)"
  printf '%7s %7s %7s %7s %9s %10s %16s %9s %9s %7s %7s %7s %8s %5s\n' proxies lookups served \
    refused max/addr/s lookups/s 'per proxy' 'vs N*rate' 'vs N*one' asked written 'in Redis' \
    failures load
  for n in 1 2 3; do scaling_run "$n" "$redis_port"; done
  echo "targets: 'vs N*one' (the fleet's lookups/s against N x the one-proxy run's) >= 0.9;"
  echo "'refused' 0 and 'max/addr/s' (most starts from one address in any second, by the"
  echo "registry's clock) at most $RATE. 'asked': misses that asked Redis first; 'written': records"
  echo "published; 'in Redis': keys added (all three = lookups); 'failures': Redis commands failed."
  echo "load: the 1-minute load average when the run started. $(bench_load_average)"
}

# paired_ratios PROFILE: each round's fleet / plain requests/s from $WORK/hits.csv, then their
# median.
paired_ratios() {
  local ratios
  ratios=$(grep -F -- "$1," "$WORK/hits.csv" | awk -F, '{rps[$6 "," $2] = $3; r[$6] = 1}
    END {for (k in r) if (rps[k ",plain"] > 0) printf "%d %.2f\n", k, rps[k ",fleet"] / rps[k ",plain"]}' |
    sort -n | cut -d' ' -f2)
  echo "$(tr '\n' ' ' <<<"$ratios")(median $(bench_median <<<"$ratios"))"
}

# ---- hits ------------------------------------------------------------------------------------
hits() {
  local redis_port plain fleet hot_set=$((HIT_RECORDS * 2600))
  start_fleet_redis redis_port hits
  # The hot sets hold every record, as in hit_path.sh.
  bench_start_server plain "$SERVER_CPU" "$WORK/plain.log" "$PROXY_BIN" --port '{port}' \
    --bind 127.0.0.1 --dir "$WORK/plain" --hot-set-size "$hot_set" "${PROXY_OFFLINE_ARGS[@]}" \
    --logfile "$WORK/plain.log"
  bench_start_server fleet "$SERVER_CPU" "$WORK/fleet.log" "$PROXY_BIN" --port '{port}' \
    --bind 127.0.0.1 --dir "$WORK/fleet" --hot-set-size "$hot_set" "${PROXY_OFFLINE_ARGS[@]}" \
    --logfile "$WORK/fleet.log" --fleet-redis "127.0.0.1:$redis_port" --fleet-node-name bench-hits
  echo "== hits: $HIT_RECORDS records in a proxy without a fleet (plain) and one with"
  echo "   fleet-redis (fleet); loading; $(bench_load_average)"
  "$LOAD_BIN" 127.0.0.1 "$plain" "$HIT_RECORDS" >/dev/null
  "$LOAD_BIN" 127.0.0.1 "$fleet" "$HIT_RECORDS" >/dev/null
  for _ in $(seq 1 600); do
    [ "$(bench_dbsize "$redis_port")" -ge "$HIT_RECORDS" ] && break
    sleep 0.05
  done
  echo "records: plain $(bench_dbsize "$plain"), fleet $(bench_dbsize "$fleet")," \
       "in Redis $(bench_dbsize "$redis_port")"
  local port
  for port in "$plain" "$fleet"; do
    bench_rb_pass "$port" "$((HIT_RECORDS * 3))" "$HIT_RECORDS"
  done

  local profiles=("-c 50 -P 1=200000" "-c 50 -P 16=1000000") commands0 beats0 plain_pid fleet_pid
  local plain_ticks fleet_ticks requests=0 spec
  plain_pid=$(bench_server_pid "$plain")
  fleet_pid=$(bench_server_pid "$fleet")
  for spec in "${profiles[@]}"; do requests=$((requests + ${spec##*=} * ROUNDS)); done
  redis-cli -p "$redis_port" CONFIG RESETSTAT >/dev/null
  commands0=$(bench_info "$fleet" fleet fleet_commands)
  beats0=$(bench_info "$fleet" fleet fleet_heartbeats)
  plain_ticks=$(bench_cpu_ticks "$plain_pid")
  fleet_ticks=$(bench_cpu_ticks "$fleet_pid")
  echo
  BENCH_RB_SWAP=1 bench_rb_rounds "$WORK/hits.csv" "$HIT_RECORDS" "$ROUNDS" \
    "plain=$plain fleet=$fleet" "${profiles[@]}"
  plain_ticks=$(($(bench_cpu_ticks "$plain_pid") - plain_ticks))
  fleet_ticks=$(($(bench_cpu_ticks "$fleet_pid") - fleet_ticks))
  # The benchmark's own INFO and CONFIG RESETSTAT are the only commands Redis may have seen.
  local stats reached
  stats=$(redis-cli -p "$redis_port" INFO commandstats | tr -d '\r' |
          grep '^cmdstat_' | grep -v -e '^cmdstat_info:' -e '^cmdstat_config|resetstat:' || true)
  reached=$(awk -F'[=,]' '{n += $2} END {print n + 0}' <<<"$stats")
  echo
  echo "median of $ROUNDS rounds; ratio = fleet / plain. Target: requests/s ratio 0.95 .. 1.05"
  echo "(hits never touch Redis); $(bench_load_average)"
  bench_rb_summary "$WORK/hits.csv" plain fleet "${profiles[@]}"
  # On a shared machine the load moves between rounds more than the two servers differ; the
  # two runs of one round are back to back, so their ratio is the steadier figure.
  for spec in "${profiles[@]}"; do
    printf '%-14s %s\n' "${spec%=*}" "requests/s ratio per round: $(paired_ratios "${spec%=*}")"
  done
  # CPU time per GET moves far less with the neighbours' load than requests/s does.
  local plain_us fleet_us
  us_per_get() {
    awk -v t="$1" -v hz="$(getconf CLK_TCK)" -v n="$requests" 'BEGIN {printf "%.2f", t / hz * 1e6 / n}'
  }
  plain_us=$(us_per_get "$plain_ticks")
  fleet_us=$(us_per_get "$fleet_ticks")
  echo "proxy CPU per GET over all $requests GETs each (utime+stime of all its threads): plain" \
       "$plain_us us, fleet $fleet_us us, ratio $(bench_ratio "$fleet_us" "$plain_us")" \
       "(target 0.95 .. 1.05)"
  # The heartbeat (one script every 2 s, whatever the clients do) is the only traffic a fleet
  # proxy has of its own; a hit must add none.
  local commands beats
  commands=$(($(bench_info "$fleet" fleet fleet_commands) - commands0))
  beats=$(($(bench_info "$fleet" fleet fleet_heartbeats) - beats0))
  echo "commands Redis served during the hit runs (INFO commandstats after CONFIG RESETSTAT, the"
  echo "benchmark's INFO left out): $reached${stats:+ ($(tr '\n' ' ' <<<"$stats"))};" \
       "the fleet proxy's fleet_commands grew by $commands, its heartbeats by $beats" \
       "(target: commands other than the heartbeats' $((commands - beats)) = 0)"
}

# ---- bytes -----------------------------------------------------------------------------------
bytes() {
  local redis_port proxy before after t0 t1 n
  start_fleet_redis redis_port bytes
  before=$(bench_info "$redis_port" memory used_memory)
  # Not pinned: the loop and LevelDB's compaction thread both have work to do (as
  # bench_cached_db's load).
  bench_start_server proxy "" "$WORK/fill.log" "$PROXY_BIN" --port '{port}' --bind 127.0.0.1 \
    --dir "$WORK/fill" "${PROXY_OFFLINE_ARGS[@]}" --logfile "$WORK/fill.log" \
    --fleet-redis "127.0.0.1:$redis_port" --fleet-node-name bench-bytes
  local samples=${WP_SHARED:-../shared}/data/whois-samples corpus=$WORK/records.jsonl
  if [ -d "$samples" ] && "$RECORDS_BIN" "$samples" >"$corpus" 2>"$WORK/records.log"; then
    echo "== bytes: importing $RECORDS records into a proxy with fleet-redis: the" \
         "$(wc -l <"$corpus") registered records of $samples as parsed by the project's parser" \
         "($(awk '{s += length($0)} END {printf "%.0f", s / NR}' "$corpus") B of JSON on" \
         "average), each under RECORDS / that many domain names; $(bench_load_average)"
  else
    echo "warning: no real replies at $samples (set WP_SHARED): bench-load's synthetic records," \
         "which differ in a few fields only" >&2
    corpus=
    echo "== bytes: importing $RECORDS synthetic records into a proxy with fleet-redis;" \
         "$(bench_load_average)"
  fi
  t0=$EPOCHREALTIME
  bench_load_parallel "$proxy" "$RECORDS" 2 "$corpus" || { echo "the import failed" >&2; return 1; }
  t1=$EPOCHREALTIME
  # The proxy publishes each record after storing it, without waiting: wait for Redis to hold
  # them all, or to stop growing (a write that failed never arrives).
  local last=-1 still=0
  while :; do
    n=$(bench_dbsize "$redis_port")
    [ "$n" -ge "$RECORDS" ] && break
    if [ "$n" = "$last" ]; then
      still=$((still + 1))
      [ "$still" -ge 40 ] && break
    else
      still=0
    fi
    last=$n
    sleep 0.05
  done
  after=$(bench_info "$redis_port" memory used_memory)
  seq 1 "$SAMPLE" | awk '{print "RANDOMKEY"}' | redis-cli -p "$redis_port" >"$WORK/sample"
  local usage value json
  usage=$(awk '{print "MEMORY USAGE " $1 " SAMPLES 0"}' "$WORK/sample" |
          redis-cli -p "$redis_port" | awk '{s += $1} END {printf "%.0f", s / NR}')
  value=$(awk '{print "STRLEN " $1}' "$WORK/sample" | redis-cli -p "$redis_port" |
          awk '{s += $1} END {printf "%.0f", s / NR}')
  # The key is {wp:<domain>}r: the proxy's GET of the domain is the JSON Redis holds compressed.
  json=$(sed 's/^{wp:\(.*\)}r$/GET \1/' "$WORK/sample" | redis-cli -p "$proxy" |
         awk '{s += length($0)} END {printf "%.0f", s / NR}')
  printf '  %-40s %s\n' \
    'records imported / in Redis' "$RECORDS / $n ($(awk -v a="$t0" -v b="$t1" \
      'BEGIN {printf "%.0f s", b - a}') to import)" \
    'used_memory growth per record' "$(awk -v a="$before" -v b="$after" -v n="$n" \
      'BEGIN {if (n > 0) printf "%.0f B", (b - a) / n; else print "?"}') (target <= 700)" \
    "MEMORY USAGE mean of $SAMPLE random keys" "$usage B (target <= 700)" \
    'value (STRLEN) mean' "$value B, of a record whose JSON is $json B" \
    'used_memory_human' "$(bench_info "$redis_port" memory used_memory_human)" \
    'proxy: records written / failed / timeouts' \
      "$(bench_info "$proxy" fleet fleet_record_writes) / $(bench_info "$proxy" fleet \
        fleet_record_write_errors) / $(bench_info "$proxy" fleet fleet_command_timeouts)" \
    'proxy: fleet_state_changes (reachable <-> not)' \
      "$(bench_info "$proxy" fleet fleet_state_changes)" \
    'load' "$(bench_load_average)"
  [ "$n" -ge "$RECORDS" ] || echo "note: $((RECORDS - n)) records never reached Redis (their" \
    "writes failed; the figures are per record in Redis)"
  VALUE_BYTES=$value
}

# ---- keys ------------------------------------------------------------------------------------
# One script writes COUNT keys named by a format with the key's number, a value of LEN bytes
# and PX (0: no expiry). Scripts are atomic: Redis does nothing else meanwhile.
KEYS_SCRIPT='local n, len, px = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local v = string.rep("x", len)
for i = 1, n do
  local k = string.format(ARGV[4], i)
  if px > 0 then redis.call("SET", k, v, "PX", px) else redis.call("SET", k, v) end
end
return n'

keys() {
  local redis_port month=$((30 * 86400 * 1000))
  start_fleet_redis redis_port keys
  echo "== keys: used_memory growth per key over $RECORDS keys, value $VALUE_BYTES B unless said;" \
       "$(bench_load_average)"
  # keys_run LABEL FORMAT LEN PX
  keys_run() {
    local before after
    redis-cli -p "$redis_port" FLUSHALL SYNC >/dev/null
    before=$(bench_info "$redis_port" memory used_memory)
    redis-cli -p "$redis_port" EVAL "$KEYS_SCRIPT" 0 "$RECORDS" "$3" "$4" "$2" >/dev/null
    after=$(bench_info "$redis_port" memory used_memory)
    printf '  %-52s %6s B  (MEMORY USAGE of one key: %s B)\n' "$1" \
      "$(awk -v a="$before" -v b="$after" -v n="$RECORDS" 'BEGIN {printf "%.0f", (b - a) / n}')" \
      "$(redis-cli -p "$redis_port" MEMORY USAGE "$(printf "$2" 7)" SAMPLES 0)"
  }
  keys_run 'as the fleet writes it: {wp:d<12>.com}r, PX' '{wp:d%012d.com}r' "$VALUE_BYTES" "$month"
  keys_run 'without expiry' '{wp:d%012d.com}r' "$VALUE_BYTES" 0
  keys_run 'a 1-byte value (key, entries and expiry alone)' '{wp:d%012d.com}r' 1 "$month"
  keys_run 'key without hash tag and suffix: d<12>.com' 'd%012d.com' "$VALUE_BYTES" "$month"
  echo "differences to the first line are what each costs; the rest of a key's bytes are the"
  echo "main and expires tables' buckets (8 B each per slot, tables sized to powers of two)."
}

for part in $PARTS; do
  case $part in
    scaling | hits | bytes | keys) "$part"; echo ;;
    *) echo "unknown part '$part' (scaling, hits, bytes, keys)" >&2; exit 2 ;;
  esac
done
