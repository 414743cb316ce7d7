#!/usr/bin/env bash
# Runs the test suite under the sanitizers and fails on any report:
#   1. build-asan: AddressSanitizer + UBSan (leak checking on), every test of the suite;
#   2. build-tsan: ThreadSanitizer, the concurrency-heavy targets only (the record store's
#      worker threads and the server, whose integration tests start the TSan-built binary).
# Reports of every process the tests start (whois-proxy, fake-whois) are collected too: each
# sanitizer writes to <build>/sanitizer-reports/<tool>.<pid>, and any file there fails the run,
# so a leak found when a proxy exits is not lost with that proxy's log.
#
#   bash scripts/sanitize.sh            # both
#   WP_SANITIZE_ONLY=asan bash scripts/sanitize.sh
#   WP_ASAN_DIR=/tmp/a WP_TSAN_DIR=/tmp/t bash scripts/sanitize.sh   # other build directories
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
asan_dir="${WP_ASAN_DIR:-$root/build-asan}"
tsan_dir="${WP_TSAN_DIR:-$root/build-tsan}"
only="${WP_SANITIZE_ONLY:-}"
jobs="$(nproc)"
failed=0

# Prints the reports in $1 and returns 1 if there is any.
collect_reports() {
  local dir="$1" found=0
  for f in "$dir"/*; do
    [ -s "$f" ] || continue
    found=1
    echo "=== sanitizer report: $f"
    cat "$f"
  done
  return "$found"
}

run_asan() {
  echo "== AddressSanitizer + UBSan in $asan_dir"
  cmake -S "$root" -B "$asan_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DWP_SANITIZE=address,undefined -DWP_BENCH=OFF >/dev/null || return 1
  cmake --build "$asan_dir" -j "$jobs" || return 1
  local reports="$asan_dir/sanitizer-reports"
  rm -rf "$reports" && mkdir -p "$reports"
  local rc=0
  ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:halt_on_error=1:log_path=$reports/asan" \
    LSAN_OPTIONS="log_path=$reports/lsan" \
    UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$reports/ubsan" \
    ctest --test-dir "$asan_dir" --output-on-failure -j "$jobs" --timeout 600 || rc=1
  collect_reports "$reports" || rc=1
  return "$rc"
}

run_tsan() {
  echo "== ThreadSanitizer in $tsan_dir"
  cmake -S "$root" -B "$tsan_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWP_SANITIZE=thread \
    -DWP_BENCH=OFF >/dev/null || return 1
  local targets=(storage_test server_unit_test server_integration_test whois-proxy)
  cmake --build "$tsan_dir" -j "$jobs" --target "${targets[@]}" || return 1
  local reports="$tsan_dir/sanitizer-reports"
  rm -rf "$reports" && mkdir -p "$reports"
  local rc=0
  # The integration tests start processes and bind ports: one executable at a time.
  for exe in tests/storage/storage_test tests/server/server_unit_test \
    tests/server/server_integration_test; do
    echo "-- $exe"
    TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:log_path=$reports/tsan:suppressions=$root/tests/tsan.supp" \
      "$tsan_dir/$exe" --gtest_brief=1 || rc=1
  done
  collect_reports "$reports" || rc=1
  return "$rc"
}

if [ "$only" != "tsan" ]; then run_asan || failed=1; fi
if [ "$only" != "asan" ]; then run_tsan || failed=1; fi
if [ "$failed" -ne 0 ]; then
  echo "sanitize.sh: FAILED (see the reports and test output above)"
  exit 1
fi
echo "sanitize.sh: clean"
