#!/usr/bin/env bash
# Builds the libFuzzer harnesses (tests/fuzz/, clang only) in build-fuzz/ and runs each one for
# SECONDS_PER_HARNESS seconds (default 30) on a copy of its seed corpus in a temporary directory;
# the repository is never written to. The seeds are the project's own (tests/fuzz/corpus/) and,
# when the reference data beside the checkout is there ($WP_SHARED, default ../shared), seeds
# made from some of its real WHOIS replies (tests/fuzz/make_corpus.py --shared). Exits non-zero
# when any harness finds a crash, a hang (an input that runs longer than 10 s), a leak or an
# out-of-memory, and prints where the reproducer is; replay it with
# `build-fuzz/tests/fuzz/<harness> <file>`, then save it under
# tests/fuzz_regressions/inputs/<harness minus _fuzz>/ so the test suite keeps checking it.
#
#   scripts/fuzz.sh [SECONDS_PER_HARNESS]
#   WP_FUZZ_SEED=1 scripts/fuzz.sh 10     # libFuzzer's -seed: the same run every time
#
# Installs nothing: needs clang, clang++, libFuzzer's runtime and llvm-symbolizer (Debian: clang,
# libclang-rt-14-dev, llvm-14; scripts/install-deps.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
source scripts/ccache-env.sh
BUILD=$ROOT/build-fuzz
SECONDS_PER_HARNESS=${1:-30}
TIMEOUT_S=10
SEED=${WP_FUZZ_SEED:-0}  # 0: libFuzzer picks a random seed

if ! [[ $SEED =~ ^[0-9]+$ ]]; then
  echo "fuzz.sh: WP_FUZZ_SEED must be a whole number (0: random)" >&2
  exit 2
fi
if ! [[ $SECONDS_PER_HARNESS =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: scripts/fuzz.sh [SECONDS_PER_HARNESS]  (a positive whole number, default 30)" >&2
  exit 2
fi
for tool in clang clang++ cmake; do
  if ! command -v "$tool" >/dev/null; then
    echo "fuzz.sh: '$tool' not found. The fuzz harnesses need clang with libFuzzer" \
      "(Debian: apt-get install clang libclang-rt-14-dev)." >&2
    exit 2
  fi
done
# Stack traces of a finding name file:line only through llvm-symbolizer (see sanitize.sh).
symbolizer=$(command -v llvm-symbolizer-14 || command -v llvm-symbolizer || true)
if [ -z "$symbolizer" ]; then
  echo "fuzz.sh: llvm-symbolizer not found (Debian: apt-get install llvm-14)" >&2
  exit 2
fi
export ASAN_SYMBOLIZER_PATH=$symbolizer
if [ -f "$BUILD/CMakeCache.txt" ] &&
  ! grep -q '^CMAKE_CXX_COMPILER_ID:.*Clang' "$BUILD/CMakeCache.txt" &&
  ! grep -q '^CMAKE_CXX_COMPILER:FILEPATH=.*clang' "$BUILD/CMakeCache.txt"; then
  echo "fuzz.sh: $BUILD was configured with a compiler other than clang; remove it and rerun." >&2
  exit 2
fi

# Longest input each harness is given: about the size of the real thing it parses.
max_len_for() {
  case "$1" in
    whois_reply_fuzz) echo 16384 ;;  # WHOIS replies are 1-20 KiB; the parser is linear
    referral_fuzz) echo 16384 ;;     # a reply, of which only referral lines matter
    domain_name_fuzz) echo 4096 ;;   # names are refused past whois::kMaxInputBytes (2048)
    record_json_fuzz) echo 16384 ;;  # a record is a few KiB
    record_codec_fuzz) echo 16384 ;;
    *) echo 4096 ;;  # resp_fuzz and others: requests
  esac
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/wp-fuzz.XXXXXX")
CC=clang CXX=clang++ cmake -S "$ROOT" -B "$BUILD" -DWP_FUZZ=ON -DWP_TESTS=OFF -DWP_BENCH=OFF \
  >"$WORK/configure.log" 2>&1 || {
  cat "$WORK/configure.log" >&2
  exit 1
}
# The harnesses by name, from either generator's target list ("... x_fuzz" or "x_fuzz: phony").
fuzz_target='s/^\(\.\.\. \)\{0,1\}\([a-z0-9_]*_fuzz\)\(: .*\)\{0,1\}$/\2/p'
mapfile -t TARGETS < <(cmake --build "$BUILD" --target help | sed -n "$fuzz_target" | sort -u)
if [ ${#TARGETS[@]} -eq 0 ]; then
  echo "fuzz.sh: no *_fuzz targets in $BUILD (is libFuzzer's runtime installed?)" >&2
  exit 1
fi
cmake --build "$BUILD" -j"$(nproc)" --target "${TARGETS[@]}"

SHARED=${WP_SHARED:-$ROOT/../shared}
if [ -d "$SHARED/data/whois-samples" ] && command -v python3 >/dev/null; then
  python3 "$ROOT/tests/fuzz/make_corpus.py" --shared "$SHARED" --out "$WORK/shared-seeds"
else
  echo "fuzz.sh: the project's own seeds only (no $SHARED/data/whois-samples, or no python3)"
fi

failed=()
for target in "${TARGETS[@]}"; do
  name=${target%_fuzz}
  corpus=$WORK/$target/corpus
  artifacts=$WORK/$target/artifacts
  mkdir -p "$corpus" "$artifacts"
  for seeds in "$ROOT/tests/fuzz/corpus/$name" "$WORK/shared-seeds/$name"; do
    if [ -d "$seeds" ]; then cp -r "$seeds/." "$corpus/"; fi
  done
  binary=$(find "$BUILD" -type f -name "$target" -perm -u+x | head -n 1)
  log=$WORK/$target/fuzz.log
  echo "== $target: ${SECONDS_PER_HARNESS}s, max_len $(max_len_for "$target"), $(ls "$corpus" | wc -l) seeds, seed $SEED"
  start=$(date +%s)
  status=0
  "$binary" "$corpus" -max_total_time="$SECONDS_PER_HARNESS" -timeout="$TIMEOUT_S" -seed="$SEED" \
    -max_len="$(max_len_for "$target")" -artifact_prefix="$artifacts/" -print_final_stats=1 \
    >"$log" 2>&1 || status=$?
  grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)' "$log" | sed 's/^/   /' || true
  echo "   exit $status after $(($(date +%s) - start))s; corpus now $(ls "$corpus" | wc -l) inputs"
  reproducers=$(find "$artifacts" -type f \( -name 'crash-*' -o -name 'timeout-*' -o \
    -name 'leak-*' -o -name 'oom-*' \) | sort)
  if [ "$status" -ne 0 ] || [ -n "$reproducers" ]; then
    failed+=("$target")
    echo "   FAILED; log: $log" >&2
    grep -E "ERROR: |SUMMARY: |invariant violated|_invariants\.cc:[0-9]+: |check failed|^    #[0-9]+ .* $ROOT/" "$log" | head -n 40 |
      sed 's/^/   | /' >&2 || true
    for r in $reproducers; do echo "   reproducer: $r" >&2; done
  fi
done

if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz.sh: ${#failed[@]} harness(es) failed: ${failed[*]}; logs and reproducers are in $WORK" >&2
  exit 1
fi
rm -rf "$WORK"
echo "fuzz.sh: all ${#TARGETS[@]} harnesses ran ${SECONDS_PER_HARNESS}s each without a finding"
