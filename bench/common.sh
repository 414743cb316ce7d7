# shellcheck shell=bash disable=SC2034  # sourced: the variables are used by the scripts
# Shared helpers for the benchmark scripts (sourced, not run). Every server a benchmark starts
# listens on 127.0.0.1 and is stopped by bench_stop_all.

BENCH_PIDS=()
BUILD_DIR=${BUILD_DIR:-build-bench}
PROXY_BIN=${PROXY_BIN:-$BUILD_DIR/server/whois-proxy}
LOAD_BIN=$BUILD_DIR/bench/bench-load
RECORDS_BIN=$BUILD_DIR/bench/bench-records
MISS_BIN=$BUILD_DIR/bench/bench-miss
# Written by bench/CMakeLists.txt: where this build puts fake-whois (bench/ or the test tree).
FAKE_WHOIS_PATH_FILE=$BUILD_DIR/bench/fake-whois-path

# Every proxy a benchmark starts gets these: no bundled directory and IANA pinned to a closed
# loopback port, so a miss (say, a record that went stale) fails fast with a fallback record and
# nothing ever leaves the machine. The miss-path benchmark pins IANA to its fake instead.
PROXY_OFFLINE_ARGS=(--bundled-directory no --lookup-order whois-only
                    --upstream-address whois.iana.org 127.0.0.1:1)

# Pin servers and clients to different cores where there are two.
if [ "$(nproc)" -ge 2 ]; then SERVER_CPU=0; CLIENT_CPU=1; else SERVER_CPU=; CLIENT_CPU=; fi

# bench_require_tools: stops the benchmark with a clear message when a program it runs is
# missing. A benchmark never installs anything: the packages, redis-server (the reference:
# Debian's 7.0) among them, come from `bash scripts/install-deps.sh --bench`, which the user runs.
BENCH_TOOLS=(cmake c++ pkg-config redis-server redis-cli redis-benchmark taskset awk)
bench_require_tools() {
  local missing=() tool
  for tool in "${BENCH_TOOLS[@]}"; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "bench: missing ${missing[*]}; install the benchmarks' packages with" >&2
  echo "  bash scripts/install-deps.sh --bench" >&2
  echo "and run the benchmark again." >&2
  exit 1
}

# BENCH_SKIP_BUILD=1 uses the binaries already in $BUILD_DIR (run_all.sh builds once for all).
bench_build() {
  bench_require_tools
  FAKE_WHOIS_BIN=$(cat "$FAKE_WHOIS_PATH_FILE" 2>/dev/null || true)
  [ "${BENCH_SKIP_BUILD:-0}" = 1 ] && return 0
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DWP_TESTS=OFF -DWP_BENCH=ON >/dev/null
  cmake --build "$BUILD_DIR" --target whois-proxy bench-load bench-records bench-miss bench-crawler bench-gets bench-hot-set-sim \
    fake-whois \
    -j"$(nproc)" >/dev/null
  FAKE_WHOIS_BIN=$(cat "$FAKE_WHOIS_PATH_FILE")
}

# bench_begin: bench_build, then WORK, a fresh directory under /tmp for the run's logs and files;
# at exit every server the benchmark started is stopped and WORK removed.
bench_begin() {
  bench_build
  WORK=$(mktemp -d /tmp/wp-bench.XXXXXX)
  trap 'bench_stop_all; rm -rf "$WORK"' EXIT
}

# bench_load_average: "load average" and the 1-, 5- and 15-minute load averages, for printing beside
# figures a busy machine would move.
bench_load_average() { echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"; }

# bench_kv LINE KEY: the value of KEY in LINE's "key=value key=value ..." (what bench-crawler,
# bench-miss and bench-gets print); empty if LINE has no KEY.
bench_kv() { tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1 == k {print $2}'; }

# bench_free_port: a loopback port nothing listens on right now, below the kernel's ephemeral
# range (so no outgoing connection holds it). Another process can still take it before a server
# binds it (redis-server: "bind: Address already in use"); bench_start_server then tries another.
bench_free_port() {
  local low port
  read -r low _ </proc/sys/net/ipv4/ip_local_port_range
  [ "$low" -gt 11024 ] || low=32768
  while :; do
    port=$((10000 + (RANDOM * 32768 + RANDOM) % (low - 10000)))
    (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null || {
      echo "$port"
      return
    }
  done
}

# bench_log_size FILE: its size in bytes (0 if missing). With bench_port_taken it tells a bind
# failure of this start from what earlier starts left in the same log.
bench_log_size() { stat -c %s "$1" 2>/dev/null || echo 0; }

# bench_port_taken LOG OFFSET: true if LOG, from byte OFFSET on, says the port was in use.
bench_port_taken() { tail -c +"$(($2 + 1))" "$1" 2>/dev/null | grep -qi 'address already in use'; }

# bench_start CPU COMMAND...: starts a server in the background, pinned to CPU if given, its output
# appended to $BENCH_START_LOG (default: discarded).
bench_start() {
  local cpu=$1 log=${BENCH_START_LOG:-/dev/null}
  shift
  if [ -n "$cpu" ]; then taskset -c "$cpu" "$@" >>"$log" 2>&1 & else "$@" >>"$log" 2>&1 & fi
  BENCH_PIDS+=($!)
}

# bench_start_server VAR CPU LOG COMMAND...: starts a Redis-protocol server (bench_start, output
# appended to LOG, where the server should write its own log too) with every "{port}" in its
# arguments replaced by a free loopback port, and waits until it answers PING with +PONG (up to
# 60 s; redis-server says -LOADING while it reads its dump); sets VAR to the port, and
# BENCH_START_T0 / BENCH_START_T1 to the times ($EPOCHREALTIME) of the exec and the +PONG. When
# the port was taken before the server bound it, tries another (up to 5 times). Fails, showing
# the end of LOG, if the server exits for another reason or does not answer in time.
bench_start_server() {
  # Locals carry a prefix: VAR names a variable of the caller, which a local of the same name
  # here would hide.
  local _bss_var=$1 _bss_cpu=$2 _bss_log=$3 _bss_port _bss_offset _bss_pid _bss_arg _bss_args
  shift 3
  for _ in 1 2 3 4 5; do
    _bss_port=$(bench_free_port)
    _bss_args=()
    for _bss_arg in "$@"; do _bss_args+=("${_bss_arg//\{port\}/$_bss_port}"); done
    _bss_offset=$(bench_log_size "$_bss_log")
    BENCH_START_T0=$EPOCHREALTIME
    BENCH_START_LOG=$_bss_log bench_start "$_bss_cpu" "${_bss_args[@]}"
    _bss_pid=${BENCH_PIDS[-1]}
    for _ in $(seq 1 12000); do
      bench_ping "$_bss_port" && break
      kill -0 "$_bss_pid" 2>/dev/null || break
      sleep 0.005
    done
    BENCH_START_T1=$EPOCHREALTIME
    # The server answering must be this one (INFO's process_id), not one that took the port.
    if [ "$(bench_server_pid "$_bss_port")" = "$_bss_pid" ]; then
      printf -v "$_bss_var" '%s' "$_bss_port"
      return 0
    fi
    if kill -0 "$_bss_pid" 2>/dev/null || ! bench_port_taken "$_bss_log" "$_bss_offset"; then
      break
    fi
    echo "port $_bss_port was taken before $(basename "$1") bound it; trying another" >&2
  done
  echo "$(basename "$1") did not start (port $_bss_port); the end of $_bss_log:" >&2
  tail -n 5 "$_bss_log" >&2
  return 1
}

# bench_start_fake_whois VAR ARGS...: starts fake-whois on a kernel-chosen loopback port (pinned to
# the client CPU: the fakes stand for the outside world, so they leave the server CPU to the
# proxy) and sets VAR to that port once it prints READY. Fails if it does not.
bench_start_fake_whois() {
  local var=$1; shift
  local out
  out=$(mktemp /tmp/wp-bench-fake.XXXXXX)
  if [ -n "$CLIENT_CPU" ]; then
    taskset -c "$CLIENT_CPU" "$FAKE_WHOIS_BIN" --bind 127.0.0.1 --port 0 "$@" >"$out" 2>&1 &
  else
    "$FAKE_WHOIS_BIN" --bind 127.0.0.1 --port 0 "$@" >"$out" 2>&1 &
  fi
  BENCH_PIDS+=($!)
  local port=
  for _ in $(seq 1 500); do
    port=$(awk '$1 == "READY" {print $2}' "$out")
    [ -n "$port" ] && break
    sleep 0.02
  done
  if [ -z "$port" ]; then
    echo "fake-whois did not start: $(cat "$out")" >&2
    rm -f "$out"
    return 1
  fi
  rm -f "$out"
  printf -v "$var" '%s' "$port"
}

# bench_cpu_ticks PID: user+system CPU time of every thread of PID so far, in clock ticks.
bench_cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

bench_client() {
  if [ -n "$CLIENT_CPU" ]; then taskset -c "$CLIENT_CPU" "$@"; else "$@"; fi
}

bench_rss_mb() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status" 2>/dev/null || echo "?"; }
# bench_status_mb PID FIELD: a kB field of /proc/PID/status (RssAnon, RssFile, ...) in MB.
bench_status_mb() {
  awk -v f="$2:" '$1 == f {printf "%.1f", $2/1024}' "/proc/$1/status" 2>/dev/null || echo "?"
}
bench_hwm_mb() { awk '/VmHWM/ {printf "%.1f", $2/1024}' "/proc/$1/status" 2>/dev/null || echo "?"; }

# bench_ping PORT: true if a server on 127.0.0.1:PORT answers PING with +PONG (bash only, so a
# start-up measurement does not pay for a redis-cli process per attempt).
bench_ping() {
  local line
  { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  printf 'PING\r\n' >&3
  read -r -t 1 line <&3 || line=
  exec 3<&- 3>&-
  [ "${line%$'\r'}" = "+PONG" ]
}

# bench_info PORT SECTION FIELD: FIELD of INFO SECTION of the server on 127.0.0.1:PORT (empty if
# it does not answer or has no such field).
bench_info() {
  redis-cli -p "$1" INFO "$2" 2>/dev/null | tr -d '\r' | awk -F: -v f="$3" '$1 == f {print $2}'
}

# bench_server_pid PORT: the process_id the server on 127.0.0.1:PORT reports in INFO.
bench_server_pid() { bench_info "$1" server process_id; }

# bench_dbsize PORT: DBSIZE of the server on 127.0.0.1:PORT (empty if it does not answer).
bench_dbsize() { redis-cli -p "$1" DBSIZE 2>/dev/null | tr -d '\r' || true; }

# bench_load_parallel PORT COUNT [LOADERS=2] [RECORDS_FILE]: bench-load split over parallel
# connections (with RECORDS_FILE: its records, see bench/load_records.cc). The proxy spends its
# loop's time parsing and re-serialising each SET's JSON, so one connection keeps only one core
# busy however deep its pipeline.
bench_load_parallel() {
  local port=$1 count=$2 loaders=${3:-2} records=${4:-} pids=() k rc=0
  for k in $(seq 0 $((loaders - 1))); do
    local first=$((k * count / loaders)) last=$(((k + 1) * count / loaders))
    "$LOAD_BIN" 127.0.0.1 "$port" "$((last - first))" "$first" ${records:+"$records"} >/dev/null &
    pids+=($!)
  done
  for k in "${pids[@]}"; do wait "$k" || rc=1; done
  return $rc
}

# bench_median: the median of the numbers on stdin, one a line.
bench_median() { sort -g | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print "?"}'; }

# bench_ratio A B: A/B with two decimals ("n/a" if B is 0 or not a number).
bench_ratio() { awk -v a="$1" -v b="$2" 'BEGIN{if (b+0 > 0) printf "%.2f", a/b; else print "n/a"}'; }

# bench_rb PORT PROFILE N RECORDS: one redis-benchmark random-GET run over RECORDS keys
# (d<12 digits>.com, as bench-load writes them); prints "rps p50 p99".
bench_rb() {
  local line
  # shellcheck disable=SC2086
  line=$(bench_client redis-benchmark -p "$1" $2 -n "$3" -r "$4" --csv GET 'd__rand_int__.com' |
         tail -n 1)
  IFS=, read -r _ rps _ _ p50 _ p99 _ <<<"$(tr -d '"' <<<"$line")"
  echo "$rps $p50 $p99"
}

# bench_cached_db RECORDS: sets BENCH_DB_DIR to a directory under /tmp holding RECORDS records
# as a proxy database (BENCH_DB_DIR/proxy), and BENCH_REDIS_DIR to one holding the same records
# as a redis-server dump (BENCH_REDIS_DIR/dump.rdb), building either if missing.
# Loading through SET takes minutes (a million records) to a quarter of an hour (five million),
# so the benchmarks share one copy per record count. The dump's key covers the record generator;
# the proxy copy's key also covers the storage layout and the LevelDB options (record_store_open.cc,
# record_store_internal.h), so a change to them builds a fresh proxy copy without reloading
# redis-server. Building a copy deletes the
# older copies of the same kind and record count (five million records are GBs).
bench_cached_db() {
  local records=$1 rkey pkey rdir pdir
  rkey=$(cat bench/load_records.cc | md5sum | cut -c1-10)
  pkey=$(cat bench/load_records.cc storage/key_layout.h storage/record_codec.cc \
           storage/record_store_open.cc storage/record_store_internal.h storage/value_packer.cc \
           storage/dictionary_compressor.cc whois/record/record_dictionary.cc 2>/dev/null |
         md5sum | cut -c1-10)
  rdir=/tmp/wp-bench-redis-$records-$rkey
  pdir=/tmp/wp-bench-db-$records-$pkey
  if [ ! -f "$rdir/complete" ]; then
    local old
    for old in /tmp/wp-bench-redis-"$records"-*; do [ "$old" = "$rdir" ] || rm -rf "$old"; done
    rm -rf "$rdir"
    mkdir -p "$rdir"
    echo "building $rdir (one-off: $records records into a redis-server)" >&2
    local t0=$EPOCHREALTIME rport
    bench_start_server rport "$SERVER_CPU" "$rdir/redis.log" redis-server --port '{port}' \
      --bind 127.0.0.1 --save '' --appendonly no --daemonize no --dir "$rdir" \
      --dbfilename dump.rdb --logfile "$rdir/redis.log" || return 1
    local rpid=${BENCH_PIDS[-1]}
    "$LOAD_BIN" 127.0.0.1 "$rport" "$records" >/dev/null || return 1
    redis-cli -p "$rport" SAVE >/dev/null || return 1
    kill "$rpid"; wait "$rpid" 2>/dev/null || true
    awk -v r="$records" -v a="$t0" -v b="$EPOCHREALTIME" \
      'BEGIN {printf "loaded %d records: redis-server %.1f s\n", r, b-a}' |
      tee "$rdir/load-times" >&2
    touch "$rdir/complete"
  fi
  if [ ! -f "$pdir/complete" ]; then
    local old
    for old in /tmp/wp-bench-db-"$records"-*; do
      # Copies in the older layout (a redis/ beside proxy/) may belong to another checkout.
      [ "$old" = "$pdir" ] || [ -d "$old/redis" ] || rm -rf "$old"
    done
    rm -rf "$pdir"
    mkdir -p "$pdir"
    echo "building $pdir (one-off: $records records into a proxy)" >&2
    local t1=$EPOCHREALTIME pport
    # Not pinned to one CPU: the loop and LevelDB's compaction thread both have work to do.
    bench_start_server pport "" "$pdir/load.log" "$PROXY_BIN" --port '{port}' --bind 127.0.0.1 \
      --dir "$pdir/proxy" "${PROXY_OFFLINE_ARGS[@]}" --logfile "$pdir/load.log" || return 1
    local ppid=${BENCH_PIDS[-1]}
    bench_load_parallel "$pport" "$records" 2 || return 1
    local ticks n
    ticks=$(bench_cpu_ticks "$ppid")
    n=$(bench_dbsize "$pport")
    kill "$ppid"; wait "$ppid" 2>/dev/null || true
    [ "$n" = "$records" ] || { echo "proxy holds $n records, not $records" >&2; return 1; }
    awk -v r="$records" -v b="$t1" -v c="$EPOCHREALTIME" -v t="$ticks" -v hz="$(getconf CLK_TCK)" \
      'BEGIN {printf "loaded %d records: whois-proxy %.1f s (%.0f us proxy CPU per SET)\n", \
              r, c-b, t/hz*1e6/r}' | tee "$pdir/load-times" >&2
    touch "$pdir/complete"
  fi
  BENCH_DB_DIR=$pdir
  BENCH_REDIS_DIR=$rdir
}

# bench_start_cached_redis VAR and bench_start_cached_proxy VAR [DIRECTIVES...]: a server on the
# copies bench_cached_db set up (BENCH_REDIS_DIR, BENCH_DB_DIR), pinned like every server, logging to
# $WORK/redis.log or $WORK/proxy.log, on a free port (VAR), answering PING (bench_start_server).
bench_start_cached_redis() {
  bench_start_server "$1" "$SERVER_CPU" "$WORK/redis.log" redis-server --port '{port}' \
    --bind 127.0.0.1 --save '' --appendonly no --daemonize no --dir "$BENCH_REDIS_DIR" \
    --dbfilename dump.rdb --logfile "$WORK/redis.log"
}
bench_start_cached_proxy() {
  local _bscp_var=$1
  shift
  bench_start_server "$_bscp_var" "$SERVER_CPU" "$WORK/proxy.log" "$PROXY_BIN" --port '{port}' \
    --bind 127.0.0.1 --dir "$BENCH_DB_DIR/proxy" "${PROXY_OFFLINE_ARGS[@]}" \
    --logfile "$WORK/proxy.log" "$@"
}

# bench_check_cached REDIS_PORT PROXY_PORT RECORDS: fails unless each server holds RECORDS records;
# then waits for the proxy's head mirror (built from the database at every start) and for its
# file to reach the disk, so the kernel's writeback does not run during the measurements.
bench_check_cached() {
  local port n
  for port in "$1" "$2"; do
    n=$(bench_dbsize "$port")
    [ "$n" = "$3" ] || { echo "server on port $port holds '$n' records, not $3" >&2; return 1; }
  done
  bench_wait_mirror "$2"
}

# bench_wait_mirror PORT: waits (at most 10 minutes) while the server's head mirror is building,
# then syncs; says how long the wait was.
bench_wait_mirror() {
  local t0=$EPOCHREALTIME i
  for ((i = 0; i < 6000; i++)); do
    [ "$(bench_info "$1" persistence store_mirror)" = building ] || break
    sleep 0.1
  done
  sync
  awk -v a="$t0" -v b="$EPOCHREALTIME" -v s="$(bench_info "$1" persistence store_mirror)" \
    'BEGIN {printf "head mirror %s after %.1f s (and a sync)\n", s, b - a}' >&2
}

# The test TLD the limit benchmarks resolve under (limits.sh, sources.sh, fleet.sh).
# bench_test_tld MAX_SECONDS: writes IANA's answer for "test" (naming whois.nic.test) to
# $WORK/iana/test and a short registry reply template (a distinct record per domain) to
# $WORK/registry.txt, and starts the fake IANA on them (IANA_PORT, log $WORK/iana.log), exiting by
# itself after MAX_SECONDS.
bench_test_tld() {
  mkdir -p "$WORK/iana"
  printf '%s\r\n' 'domain:       TEST' '' 'whois:        whois.nic.test' >"$WORK/iana/test"
  printf '%s\r\n' 'Domain Name: {QUERY}' 'Registrar: Example Registrar, Inc.' \
    'Creation Date: 1995-08-14T04:00:00Z' 'Name Server: NS1.HOSTING.EXAMPLE' >"$WORK/registry.txt"
  bench_start_fake_whois IANA_PORT --responses "$WORK/iana" --log "$WORK/iana.log" \
    --max-seconds "$1"
}

# bench_start_tld_proxy VAR NAME REGISTRY_PORT [DIRECTIVES...]: a proxy (pinned like every server,
# port in VAR) resolving .test through the fake IANA of bench_test_tld and the fake registry on
# REGISTRY_PORT, with its database in $WORK/proxy-NAME and its log in $WORK/proxy-NAME.log. A
# lookup may wait as long as the run (`lookup-timeout` 600 s): the benchmarks queue far more
# lookups than a limit lets out at once. DIRECTIVES follow (the registry's limit, sources, fleet).
bench_start_tld_proxy() {
  local _btp_var=$1 _btp_name=$2 _btp_registry=$3
  shift 3
  bench_start_server "$_btp_var" "$SERVER_CPU" "$WORK/proxy-$_btp_name.log" "$PROXY_BIN" \
    --port '{port}' --bind 127.0.0.1 --dir "$WORK/proxy-$_btp_name" --bundled-directory no \
    --lookup-order whois-only --lookup-timeout 600000 \
    --upstream-address whois.iana.org "127.0.0.1:$IANA_PORT" \
    --upstream-address whois.nic.test "127.0.0.1:$_btp_registry" \
    --upstream-limit whois.iana.org concurrency 100 --logfile "$WORK/proxy-$_btp_name.log" "$@"
}

# bench_warm_up PORT NAME WINDOW_MS: one lookup (warmup-NAME.test), so the proxy learns .test's
# registry from IANA before the clock starts; then waits until that start has left the limit's
# window, so the run starts on empty ones.
bench_warm_up() {
  redis-cli -p "$1" GET "warmup-$2.test" >/dev/null
  sleep "$(awk -v w="$3" 'BEGIN {print w / 1000 + 0.3}')"
}

# bench_served_starts LOG PREFIX: when the fake registry (its LOG) received the served queries
# for domains starting with PREFIX (a run's, not the warm-up's), by its clock in ms, sorted.
bench_served_starts() {
  awk -v p="$2" '$4 == "served" && index($3, p) == 1 {print $6}' "$1" | sort -n
}

# bench_sustained_rate K: the sustained rate (per second) of the sorted start times (ms) on
# stdin, when K (the first window's worth) go out at once: in steady state each later start
# comes one enforced window after the start K before it, so the rate is the starts after the
# K-th over the time from the K-th to the last (one whole window per K whatever the first
# window's spread, and no credit for a window the run did not wait for). "?" if too few.
bench_sustained_rate() {
  awk -v k="$1" '{t[NR] = $1}
    END {if (NR > k && t[NR] > t[k]) printf "%.1f", 1000 * (NR - k) / (t[NR] - t[k]); else print "?"}'
}

# bench_most_per_client LOG WINDOW_MS: the most served queries from one client address in any
# window, by the fake registry's clock.
bench_most_per_client() {
  awk '$4 == "served" {print $7, $6}' "$1" | sort -k1,1 -k2,2n | awk -v w="$2" '
    $1 != c {c = $1; lo = NR} {t[NR] = $2; while (t[NR] - t[lo] >= w) lo++
      if (NR - lo + 1 > best) best = NR - lo + 1} END {print best + 0}'
}

# bench_rb_pass PORT N RECORDS: N random GETs (-c 50 -P 16) over the RECORDS keys bench-load
# writes, output discarded: the pass that brings a server's caches (the proxy's hot set and block
# cache, redis-server's allocator) to their steady state before what is measured.
bench_rb_pass() {
  bench_client redis-benchmark -p "$1" -c 50 -P 16 -n "$2" -r "$3" -q GET 'd__rand_int__.com' \
    >/dev/null
}

# bench_rb_rounds CSV RECORDS ROUNDS "NAME=PORT ..." "PROFILE=REQUESTS" ...: per profile, ROUNDS
# rounds of bench_rb against each named server in turn (alternating, so the machine's drift hits
# them alike; with BENCH_RB_SWAP=1 every second round runs them in reverse order, so neither
# always goes first); prints a row per run and appends "profile,name,rps,p50,p99,round" to CSV.
bench_rb_rounds() {
  local csv=$1 records=$2 rounds=$3 servers=$4 spec profile n round server rps p50 p99 order
  shift 4
  printf '%-14s %-6s %-12s %12s %9s %9s\n' profile round server 'requests/s' 'p50 ms' 'p99 ms'
  for spec in "$@"; do
    profile=${spec%=*} n=${spec##*=}
    for round in $(seq 1 "$rounds"); do
      order=$servers
      if [ "${BENCH_RB_SWAP:-0}" = 1 ] && [ $((round % 2)) = 0 ]; then
        order=$(tr ' ' '\n' <<<"$servers" | tac | tr '\n' ' ')
      fi
      for server in $order; do
        read -r rps p50 p99 <<<"$(bench_rb "${server#*=}" "$profile" "$n" "$records")"
        printf '%-14s %-6s %-12s %12s %9s %9s\n' "$profile" "$round" "${server%=*}" "$rps" "$p50" \
          "$p99"
        echo "$profile,${server%=*},$rps,$p50,$p99,$round" >>"$csv"
      done
    done
  done
}

# bench_rb_summary CSV REF OTHER "PROFILE=REQUESTS" ...: per profile, the medians of the rounds
# bench_rb_rounds wrote for the servers named REF and OTHER: requests/s and p99 of each and the
# ratios OTHER / REF.
bench_rb_summary() {
  local csv=$1 ref=$2 other=$3 spec profile rr pr r99 p99
  shift 3
  printf '%-14s %12s %12s %8s %10s %10s %8s\n' profile "$ref rps" "$other rps" ratio \
    "$ref p99" "$other p99" ratio
  for spec in "$@"; do
    profile=${spec%=*}
    med() { grep -F -- "$profile,$1," "$csv" | cut -d, -f"$2" | bench_median; }
    rr=$(med "$ref" 3); pr=$(med "$other" 3); r99=$(med "$ref" 5); p99=$(med "$other" 5)
    printf '%-14s %12s %12s %8s %10s %10s %8s\n' "$profile" "$rr" "$pr" \
      "$(bench_ratio "$pr" "$rr")" "$r99" "$p99" "$(bench_ratio "$p99" "$r99")"
  done
}

bench_stop_all() {
  for pid in "${BENCH_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${BENCH_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  BENCH_PIDS=()
}
