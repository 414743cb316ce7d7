#!/usr/bin/env bash
# The README's promise, tried as a new user would try it: on a fresh Debian 12 machine, as root,
# the test command installs what is missing and passes. This builds a minimal Debian 12 root
# (debootstrap --variant=minbase bookworm, plus the /etc/hosts every installed system has), clones
# the committed HEAD of this checkout into root's home directory in it (/root/<name>, mode 0700,
# as on a real machine) with the reference data beside it (/root/shared, the ../shared of the
# clone), and runs `bash .ci/run` there as root in a chroot with an empty environment. It prints
# the end of the log and the exit status, and exits with that status.
#
# Not part of CI: it takes as long as CI plus the bootstrap and the package downloads (15 to 25
# minutes on 2 cores). Run it before resolving an issue that touches dependencies, scripts or
# where tests look for things, and whenever scripts/install-deps.sh changes.
#
#   sudo bash scripts/fresh-machine.sh
#
# Environment (all optional):
#   WP_FRESH_CACHE   where the bootstrapped root is kept as a tarball between runs
#                    (default /var/cache/wp-fresh-machine; delete the tarball to bootstrap anew)
#   WP_FRESH_MIRROR  the Debian mirror (default http://deb.debian.org/debian)
#   WP_FRESH_WORK    where the root is unpacked for the run (default: a new folder in /var/tmp)
#   WP_FRESH_LOG     the log of the run (default /var/tmp/wp-fresh-machine.log)
#   WP_FRESH_KEEP=1  keep the unpacked root afterwards, to look inside
#   WP_SHARED        the reference data to put beside the clone (default: the checkout's
#                    ../shared); when it does not exist the clone gets none, and the tests that
#                    need it skip
#
# The chroot shares the host's network (CI reaches Debian's mirror through it, and its tests'
# loopback servers use the host's free ports) and its kernel; everything else is the fresh root.
set -euo pipefail

checkout=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
name=$(basename "$checkout")
head=$(git -C "$checkout" rev-parse HEAD)
cache=${WP_FRESH_CACHE:-/var/cache/wp-fresh-machine}
mirror=${WP_FRESH_MIRROR:-http://deb.debian.org/debian}
log=${WP_FRESH_LOG:-/var/tmp/wp-fresh-machine.log}
shared=${WP_SHARED:-$checkout/../shared}
arch=$(dpkg --print-architecture)
tarball=$cache/bookworm-minbase-$arch.tar.gz

if [ "$(id -u)" -ne 0 ]; then
  echo "fresh-machine.sh: needs root (debootstrap, chroot and mount do)" >&2
  exit 2
fi
for tool in debootstrap chroot mount tar git; do
  command -v "$tool" >/dev/null || {
    echo "fresh-machine.sh: '$tool' not found (Debian: apt-get install debootstrap)" >&2
    exit 2
  }
done
if ! git -C "$checkout" diff --quiet HEAD 2>/dev/null; then
  echo "fresh-machine.sh: note: uncommitted changes are not tested; the clone is of $head" >&2
fi

if [ -n "${WP_FRESH_WORK:-}" ]; then
  work=$WP_FRESH_WORK
  mkdir -p "$work"
else
  work=$(mktemp -d /var/tmp/wp-fresh-machine.XXXXXX)
fi
root=$work/root
[ ! -e "$root" ] || {
  echo "fresh-machine.sh: $root exists (from a kept run?); remove it, or set another" \
    "WP_FRESH_WORK" >&2
  exit 2
}
mounted=()

# Unmounts what was mounted (innermost first), ends what is still running inside the root (the
# processes the run started, found by their root directory), and removes the root.
cleanup() {
  local proc
  for proc in /proc/[0-9]*; do
    if [ "$(readlink "$proc/root" 2>/dev/null)" = "$root" ]; then
      kill -9 "${proc#/proc/}" 2>/dev/null || true
    fi
  done
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount -R "${mounted[i]}" 2>/dev/null || umount -R -l "${mounted[i]}" 2>/dev/null || true
  done
  if [ "${WP_FRESH_KEEP:-0}" = 1 ]; then
    echo "fresh-machine.sh: the root is kept in $root"
  else
    # Only once nothing is mounted below it any more (rm through a bound /dev would be a disaster).
    if grep -q " $root/" /proc/mounts; then
      echo "fresh-machine.sh: something is still mounted below $root; not removing it" >&2
    else
      rm -rf "$root" "$work/bootstrap"
      [ -n "${WP_FRESH_WORK:-}" ] || rmdir "$work" 2>/dev/null || true
    fi
  fi
}
trap cleanup EXIT

start=$(date +%s)
if [ ! -f "$tarball" ]; then
  echo "== bootstrapping a minimal Debian 12 root (cached in $tarball)"
  mkdir -p "$cache"
  boot=$work/bootstrap
  debootstrap --variant=minbase bookworm "$boot" "$mirror" >"$cache/debootstrap.log" 2>&1 || {
    tail -n 20 "$cache/debootstrap.log" >&2
    exit 1
  }
  tar -C "$boot" -czf "$tarball.part" . && mv "$tarball.part" "$tarball"
  rm -rf "$boot"
fi

echo "== unpacking the root in $root"
mkdir -p "$root"
tar -C "$root" -xzf "$tarball"
# What every installed system has and a minbase bootstrap lacks: a hosts file naming localhost.
printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
cp /etc/resolv.conf "$root/etc/resolv.conf"  # to reach the mirror, as the host does

echo "== cloning $head into /root/$name"
git clone -q "$checkout" "$root/root/$name"
git -C "$root/root/$name" checkout -q --detach "$head"
if [ -d "$shared" ]; then
  echo "== copying $(cd "$shared" && pwd) to /root/shared"
  cp -a "$shared" "$root/root/shared"
else
  echo "== no $shared: the clone gets no ../shared"
fi

# The kernel's file systems, each made a slave so nothing mounted or unmounted below them in the
# root propagates back to the host.
mount -t proc proc "$root/proc" && mounted+=("$root/proc")
for fs in dev sys; do
  mount --rbind "/$fs" "$root/$fs" && mounted+=("$root/$fs")
  mount --make-rslave "$root/$fs"
done

echo "== running 'bash .ci/run' in /root/$name as root in the chroot; log: $log"
status=0
chroot "$root" /usr/bin/env -i HOME=/root USER=root LOGNAME=root SHELL=/bin/bash \
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  /bin/bash -c "cd /root/$name && bash .ci/run" >"$log" 2>&1 || status=$?
elapsed=$(($(date +%s) - start))

echo "== the last 40 lines of $log:"
tail -n 40 "$log"
echo "== fresh-machine.sh: 'bash .ci/run' exited with status $status after $((elapsed / 60)) min" \
  "$((elapsed % 60)) s (commit $head)"
exit "$status"
