#!/usr/bin/env bash
# Installs what is missing, builds, and starts whois-proxy on its embedded default:
# port 7043 on loopback, LevelDB records in ./data. Extra arguments go to the server
# (e.g. scripts/run.sh --port 7100, or a config file first).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
source scripts/ccache-env.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DWP_TESTS=OFF >/dev/null
cmake --build build --target whois-proxy whois-proxy-cli -j"$(nproc)"
exec ./build/server/whois-proxy --dir ./data "$@"
