#!/bin/sh
# Trims a fresh `debootstrap --variant=minbase` root before `podman import`.
# Usage: trim-rootfs.sh ROOTFS
# Removes what a read-only agent container never uses: apt's package lists and downloaded
# .debs (images are rebuilt, never upgraded in place), docs, man pages, locales other than
# C/POSIX, and logs and caches left by the bootstrap itself.
set -eu

root=${1:?usage: trim-rootfs.sh ROOTFS}
[ -x "$root/bin/sh" ] || { echo "trim-rootfs: $root does not look like a root filesystem" >&2; exit 2; }

rm -rf \
  "$root"/var/lib/apt/lists/* \
  "$root"/var/cache/apt/*.bin \
  "$root"/var/cache/apt/archives/*.deb \
  "$root"/var/cache/debconf/*-old \
  "$root"/var/log/* \
  "$root"/usr/share/doc/* \
  "$root"/usr/share/man/* \
  "$root"/usr/share/info/* \
  "$root"/usr/share/lintian/* \
  "$root"/usr/share/linda/* \
  "$root"/tmp/* \
  "$root"/var/tmp/*

# Keep only the locale metadata dpkg needs; message catalogues are not read without a locale.
find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} + 2>/dev/null || true

# Later dpkg installs (tini, ca-certificates …) skip the same paths.
mkdir -p "$root/etc/dpkg/dpkg.cfg.d"
cat > "$root/etc/dpkg/dpkg.cfg.d/01-claw-trim" <<'CFG'
path-exclude=/usr/share/doc/*
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
path-include=/usr/share/locale/locale.alias
path-exclude=/usr/share/lintian/*
CFG

# A fixed machine-id would be shared by every container; empty means "generate at boot".
: > "$root/etc/machine-id"
