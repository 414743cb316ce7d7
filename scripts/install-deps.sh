#!/usr/bin/env bash
# Installs the Debian 12 packages the proxy needs to build, test and run, and with --bench also
# what the benchmarks need. Safe to run again: it asks apt only for what is missing.
#
#   bash scripts/install-deps.sh            # build, test, run (scripts/test.sh and run.sh call it)
#   bash scripts/install-deps.sh --bench    # and what only the benchmarks run (taskset)
#
# Every program a script or test runs is here, even the ones a full Debian install has anyway:
# a minimal root (debootstrap --variant=minbase, as scripts/fresh-machine.sh builds) has only
# what this list brings. apt runs without recommends, so what a package merely recommends and
# we use is named too (llvm-14 for clang's sanitizers, which run /usr/bin/llvm-symbolizer-14).
set -euo pipefail

PACKAGES=(
  # building
  build-essential cmake ninja-build pkg-config git
  # CI compiles the same sources three ways on every run: ccache makes the unchanged ones hits
  # (scripts/ccache-env.sh)
  ccache
  # libraries
  libuv1-dev libleveldb-dev libxxhash-dev libspdlog-dev libfmt-dev
  libpsl-dev libidn2-dev publicsuffix nlohmann-json3-dev libsnappy-dev
  libcurl4-openssl-dev libjemalloc-dev
  # records shared with the fleet are compressed with zstd (issue 17)
  libzstd-dev
  # the server verifies RDAP servers' TLS certificates against these
  ca-certificates
  # tests: GoogleTest, hiredis, redis-cli and redis-benchmark (tools_test)
  libgtest-dev libgmock-dev libhiredis-dev redis-tools
  # the fleet's engine: its tests start single redis-server instances and Redis Clusters
  redis-server
  # tests of the operator's tools: redis_exporter scraping the proxy (operations_test) and the
  # whois(1) client against the WHOIS port (whois_port_test)
  prometheus-redis-exporter whois
  # systemd-analyze, which verifies packaging/whois-proxy.service (service_test); a minimal root
  # has no systemd, and the package installs without running it
  systemd
  # fuzzing and sanitizers: clang, its runtimes, and the symbolizer that makes reports readable
  clang libclang-rt-14-dev llvm-14
  # the generators of the bundled fact tables and the fuzz seed corpus (whois/*/gen*.py,
  # tests/fuzz/make_corpus.py)
  python3
)
BENCH_PACKAGES=(
  # taskset(1) to pin servers and clients to cores (redis-server, the reference, is in PACKAGES)
  util-linux
)

bench=0
for arg in "$@"; do
  case "$arg" in
    --bench) bench=1 ;;
    *)
      echo "usage: scripts/install-deps.sh [--bench]" >&2
      exit 2
      ;;
  esac
done
if [ "$bench" = 1 ]; then PACKAGES+=("${BENCH_PACKAGES[@]}"); fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"

# Debian's redis-server package starts a system service on port 6379; the benchmarks start their
# own instances on free ports, so the service is stopped again.
if [[ " ${missing[*]} " == *" redis-server "* ]]; then
  ($SUDO service redis-server stop || true) >/dev/null 2>&1
fi
