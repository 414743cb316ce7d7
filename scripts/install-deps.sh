#!/usr/bin/env bash
# Installs the Debian 12 packages the proxy needs to build, test and benchmark.
# Safe to run again: it asks apt only for what is missing.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libuv1-dev libleveldb-dev libxxhash-dev libspdlog-dev libfmt-dev
  libpsl-dev libidn2-dev publicsuffix nlohmann-json3-dev libsnappy-dev
  libcurl4-openssl-dev libjemalloc-dev
  libgtest-dev libgmock-dev libhiredis-dev redis-tools
  clang libclang-rt-14-dev
)

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
