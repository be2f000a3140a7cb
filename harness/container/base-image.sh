#!/bin/sh
# base-image.sh NAME [CACHE] - a Debian 12 (bookworm) slim base image made
# with debootstrap and imported with `docker import`, for a machine that
# reaches Debian's archive but not Docker Hub (where `debian:12-slim` lives).
# Then: docker build --build-arg BASE=NAME .
#
# Like debian:12-slim: the minbase variant (essential packages and apt), no
# documentation, man pages or locales (and a dpkg filter that keeps later
# installs from adding them), empty apt caches, bookworm, bookworm-updates
# and bookworm-security in sources.list.  The root file system tarball is
# kept in CACHE (default build/container) so the next import takes seconds.
# Does nothing when NAME exists.  As root; needs debootstrap.
# DEBIAN_MIRROR overrides http://deb.debian.org/debian; ENGINE (docker)
# names the container command.
set -eu
NAME=${1:?usage: base-image.sh NAME [CACHE]}
CACHE=${2:-build/container}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
ENGINE=${ENGINE:-docker}
fail() { echo "base-image: $*" >&2; exit 1; }

if $ENGINE image inspect "$NAME" >/dev/null 2>&1; then
	echo "base-image: $NAME exists"
	exit 0
fi
mkdir -p "$CACHE"
TAR=$CACHE/bookworm-slim.tar
if [ ! -s "$TAR" ]; then
	[ "$(id -u)" = 0 ] || fail "debootstrap needs root"
	command -v debootstrap >/dev/null || fail "debootstrap is not installed (apt-get install debootstrap)"
	ROOT=$CACHE/rootfs
	rm -rf "$ROOT"
	echo "base-image: debootstrap --variant=minbase bookworm from $MIRROR" >&2
	debootstrap --variant=minbase bookworm "$ROOT" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 ||
		{ tail -n 20 "$CACHE/debootstrap.log" >&2; fail "debootstrap failed (log: $CACHE/debootstrap.log)"; }
	cat >"$ROOT/etc/dpkg/dpkg.cfg.d/slim" <<'CFG'
# As debian:12-slim: no documentation, man pages or translations.
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
CFG
	find "$ROOT/usr/share/doc" -mindepth 1 ! -name copyright ! -type d -delete
	find "$ROOT/usr/share/doc" -mindepth 1 -type d -empty -delete
	rm -rf "$ROOT"/usr/share/man/* "$ROOT"/usr/share/info/* "$ROOT"/usr/share/locale/* \
	    "$ROOT"/var/cache/apt/*.bin "$ROOT"/var/cache/apt/archives/*.deb \
	    "$ROOT"/var/lib/apt/lists/* "$ROOT"/var/log/*.log "$ROOT"/var/log/apt/*
	cat >"$ROOT/etc/apt/sources.list" <<SRC
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
SRC
	tar --numeric-owner -C "$ROOT" -cf "$TAR.tmp" .
	mv "$TAR.tmp" "$TAR"
	rm -rf "$ROOT"
fi
$ENGINE import --change 'CMD ["bash"]' "$TAR" "$NAME" >/dev/null
echo "base-image: imported $NAME from $TAR"
