#!/usr/bin/env bash
# Runs the test suite under the sanitizers and fails on any report:
#   1. build-asan: AddressSanitizer + UBSan (leak checking on), every test of the suite;
#   2. build-tsan: ThreadSanitizer, the concurrency-heavy tests only, those tests/CMakeLists.txt
#      marks with wp_tsan_test (the record store's worker threads, the server, whose integration
#      tests start the TSan-built binary, and the hardening tests: 10,000 clients, kill -9 under
#      load, clients leaving mid-lookup).
# Both are clang builds at -O1 with line tables only: about half the compile time of gcc's
# RelWithDebInfo with full debug info, and still file:line in every report. Warnings are errors
# (WP_WERROR=OFF to relax). Reports of every process the tests start (whois-proxy, fake-whois)
# are collected too: each sanitizer writes to <build>/sanitizer-reports/<tool>.<pid>, and any
# file there fails the run, so a leak found when a proxy exits is not lost with that proxy's log.
#
#   bash scripts/sanitize.sh            # both (part of scripts/test.sh)
#   WP_SANITIZE_ONLY=asan bash scripts/sanitize.sh
#   WP_ASAN_DIR=/tmp/a WP_TSAN_DIR=/tmp/t bash scripts/sanitize.sh   # other build directories
#
# Installs nothing: needs clang, its sanitizer runtimes and llvm-symbolizer (Debian: clang,
# libclang-rt-14-dev, llvm-14; scripts/install-deps.sh installs them).
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# The runtimes turn addresses into file:line with llvm-symbolizer. clang 14's look for
# /usr/bin/llvm-symbolizer-14 (package llvm-14, which clang only recommends); without it every
# report holds just "WARNING: invalid path to external symbolizer!", and so does the report file
# of a suppressed race, which then fails the run. So the path is given, and checked first.
symbolizer="$(command -v llvm-symbolizer-14 || command -v llvm-symbolizer || true)"
if [ -z "$symbolizer" ]; then
  echo "sanitize.sh: llvm-symbolizer not found (Debian: apt-get install llvm-14)" >&2
  exit 2
fi
source "$root/scripts/ccache-env.sh"
asan_dir="${WP_ASAN_DIR:-$root/build-asan}"
tsan_dir="${WP_TSAN_DIR:-$root/build-tsan}"
only="${WP_SANITIZE_ONLY:-}"
jobs="$(nproc)"
werror="${WP_WERROR:-ON}"
failed=0
flags="-O1 -gline-tables-only"

# Configures $1 as a clang build with sanitizers $2. A directory configured earlier with another
# compiler cannot be switched in place; it is a build tree this script owns, so it is replaced.
configure() {
  local dir="$1" sanitize="$2"
  if [ -f "$dir/CMakeCache.txt" ] && ! grep -q '^CMAKE_CXX_COMPILER:[A-Z]*=.*clang++' "$dir/CMakeCache.txt"; then
    echo "sanitize.sh: $dir was configured with another compiler; rebuilding it with clang"
    rm -rf "$dir"
  fi
  CC=clang CXX=clang++ cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_FLAGS_RELWITHDEBINFO="$flags" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$flags" \
    -DWP_SANITIZE="$sanitize" -DWP_WERROR="$werror" -DWP_BENCH=OFF >/dev/null
}

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
  configure "$asan_dir" address,undefined || return 1
  cmake --build "$asan_dir" -j "$jobs" || return 1
  local reports="$asan_dir/sanitizer-reports"
  rm -rf "$reports" && mkdir -p "$reports"
  local rc=0
  local sym="external_symbolizer_path=$symbolizer"
  ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:halt_on_error=1:log_path=$reports/asan:$sym" \
    LSAN_OPTIONS="log_path=$reports/lsan:$sym" \
    UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$reports/ubsan:$sym" \
    ctest --test-dir "$asan_dir" --output-on-failure -j "$jobs" --timeout 600 || rc=1
  collect_reports "$reports" || rc=1
  return "$rc"
}

run_tsan() {
  echo "== ThreadSanitizer in $tsan_dir"
  configure "$tsan_dir" thread || return 1
  # The tests CMake marks with wp_tsan_test (tests/CMakeLists.txt), one "target path" per line.
  local list="$tsan_dir/tsan_tests.txt" targets=() exes=() target exe
  while read -r target exe; do
    targets+=("$target")
    exes+=("$exe")
  done <"$list"
  if [ "${#targets[@]}" -eq 0 ]; then
    echo "sanitize.sh: $list names no test" >&2
    return 1
  fi
  cmake --build "$tsan_dir" -j "$jobs" --target "${targets[@]}" || return 1
  local reports="$tsan_dir/sanitizer-reports"
  rm -rf "$reports" && mkdir -p "$reports"
  local rc=0 supp="suppressions=$root/tests/tsan.supp" sym="external_symbolizer_path=$symbolizer"
  for exe in "${exes[@]}"; do
    echo "-- ${exe#"$tsan_dir"/}"
    TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:log_path=$reports/tsan:$supp:$sym" \
      "$exe" --gtest_brief=1 || rc=1
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
