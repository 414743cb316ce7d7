# Shared helpers for the benchmark scripts (sourced, not run). Every server a benchmark starts
# listens on 127.0.0.1 and is stopped by bench_stop_all.

BENCH_PIDS=()
BUILD_DIR=${BUILD_DIR:-build-bench}
PROXY_BIN=$BUILD_DIR/server/whois-proxy
LOAD_BIN=$BUILD_DIR/bench/bench-load

# Pin servers and clients to different cores where there are two.
if [ "$(nproc)" -ge 2 ]; then SERVER_CPU=0; CLIENT_CPU=1; else SERVER_CPU=; CLIENT_CPU=; fi

bench_build() {
  bash scripts/install-deps.sh
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DWP_TESTS=OFF -DWP_BENCH=ON >/dev/null
  cmake --build "$BUILD_DIR" --target whois-proxy bench-load -j"$(nproc)" >/dev/null
}

# Debian's redis-server (7.0) is the reference. Its package would start a system service; the
# benchmark starts its own instance on a free port instead, so the service is stopped again.
bench_need_redis_server() {
  if ! command -v redis-server >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends redis-server >/dev/null
    (service redis-server stop || true) >/dev/null 2>&1
  fi
}

bench_free_port() {
  local port
  while :; do
    port=$(( 20000 + RANDOM % 20000 ))
    (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}

# bench_start CPU COMMAND...: starts a server in the background, pinned to CPU if given.
bench_start() {
  local cpu=$1; shift
  if [ -n "$cpu" ]; then taskset -c "$cpu" "$@" >/dev/null 2>&1 & else "$@" >/dev/null 2>&1 & fi
  BENCH_PIDS+=($!)
}

bench_client() {
  if [ -n "$CLIENT_CPU" ]; then taskset -c "$CLIENT_CPU" "$@"; else "$@"; fi
}

bench_wait_port() {
  for _ in $(seq 1 500); do
    (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.02
  done
  echo "server on port $1 did not start" >&2
  return 1
}

bench_rss_mb() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status" 2>/dev/null || echo "?"; }
bench_hwm_mb() { awk '/VmHWM/ {printf "%.1f", $2/1024}' "/proc/$1/status" 2>/dev/null || echo "?"; }

bench_stop_all() {
  for pid in "${BENCH_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${BENCH_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  BENCH_PIDS=()
}
