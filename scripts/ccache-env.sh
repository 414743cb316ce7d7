# shellcheck shell=bash
# Sourced by the build scripts (test.sh, fuzz.sh, sanitize.sh, run.sh): compile through ccache
# when it is installed (scripts/install-deps.sh installs it). CI builds the same sources three
# ways (gcc, clang with ASan+UBSan, clang with TSan) on every run, most of them unchanged since
# the last run; ccache turns those into cache hits. Paths are made relative to the checkout and
# the working directory is left out of the hash, so a fresh clone in another folder hits the
# same cache. Only a first configure reads the launcher (CMake's CMAKE_<LANG>_COMPILER_LAUNCHER
# environment variables); an existing build directory keeps what it was configured with.
if command -v ccache >/dev/null 2>&1; then
  export CMAKE_C_COMPILER_LAUNCHER=ccache CMAKE_CXX_COMPILER_LAUNCHER=ccache
  CCACHE_BASEDIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  export CCACHE_BASEDIR CCACHE_NOHASHDIR=1
fi
