#!/usr/bin/env bash
# Installs what is missing, then:
#   1. builds whois-proxy and whois-proxy-cli as scripts/run.sh does (gcc), with warnings as
#      errors;
#   2. runs each libFuzzer harness for a short, bounded time (scripts/fuzz.sh);
#   3. builds every target with clang under AddressSanitizer + UBSan and runs every test there,
#      then the concurrency tests under ThreadSanitizer (scripts/sanitize.sh); any sanitizer
#      report, from the tests or from a server they start, fails the run.
# About 9 minutes on 2 cores. The suite runs on the sanitizer build rather than on a second,
# plain one: the same tests, strictly more checks, and one full build fewer.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
source scripts/ccache-env.sh
cmake -S . -B build-test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWP_WERROR=ON -DWP_TESTS=OFF \
  -DWP_BENCH=OFF >/dev/null
cmake --build build-test --target whois-proxy whois-proxy-cli -j"$(nproc)"
# A fixed seed makes this step reproducible (a run that passed passes again on the same code);
# exploration is for longer runs with random seeds: scripts/fuzz.sh 600.
WP_FUZZ_SEED=${WP_FUZZ_SEED:-1} bash scripts/fuzz.sh "${WP_FUZZ_SECONDS:-10}"
bash scripts/sanitize.sh
