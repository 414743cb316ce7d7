#!/usr/bin/env bash
# Installs what is missing, builds with warnings as errors, runs each fuzz harness for a short,
# bounded time, then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build-test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWP_WERROR=ON >/dev/null
cmake --build build-test -j"$(nproc)"
# Every libFuzzer harness for a bounded time (longer runs: scripts/fuzz.sh 600).
bash scripts/fuzz.sh "${WP_FUZZ_SECONDS:-10}"
ctest --test-dir build-test --output-on-failure -j"$(nproc)" --timeout 600
