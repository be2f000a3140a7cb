#!/bin/sh
# deb.sh - the Debian package, built and checked as a user gets it.
# Copies the source tree (tracked and untracked files, not build/) into a
# temporary directory, runs `dpkg-buildpackage -us -uc -b` there, then:
#  - dpkg-deb: the package holds the binary, every scenario of the
#    checkout, the catalogue, both man pages, the docs and the bash and zsh
#    completions, and depends on the libraries it links;
#  - unpacks it (dpkg-deb -x) into a temporary root and runs the packaged
#    binary from another directory with no PATH: `smtp-harness run --target
#    builtin` must run the packaged suite, found through the compiled-in
#    /usr/share/smtp-harness.  The root is laid over /usr/share with an
#    overlay mount inside a private mount namespace (unshare -m), so the
#    machine's own /usr/share is never written;
#  - lintian on the .changes: no error, no warning (overrides are in
#    debian/*.lintian-overrides, each with its reason).
# Needs root (the mount namespace), dpkg-dev, debhelper, fakeroot, lintian
# (harness/install-deps.sh).  Prints "ok ..." lines; exit 1 on a failure.
# Usage: deb.sh [--out DIR]   (--out: keep the .deb, .changes, .buildinfo)
set -eu
OUT=
[ "${1:-}" = --out ] && OUT=$2
cd "$(dirname "$0")/.."
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL deb: $*" >&2; exit 1; }
for t in dpkg-buildpackage dh lintian fakeroot unshare; do
	command -v $t >/dev/null || fail "$t is not installed (sh harness/install-deps.sh)"
done
[ "$(id -u)" = 0 ] || fail "needs root (a private mount namespace for the unpacked package)"

mkdir "$TMP/src"
if git rev-parse --git-dir >/dev/null 2>&1; then
	git ls-files -co --exclude-standard | tar -cf - -T - | tar -xf - -C "$TMP/src"
else
	tar --exclude=./build --exclude=./.git -cf - . | tar -xf - -C "$TMP/src"
fi
start=$(date +%s)
(cd "$TMP/src" && dpkg-buildpackage -us -uc -b) >"$TMP/build.log" 2>&1 ||
	{ tail -n 30 "$TMP/build.log" >&2; fail "dpkg-buildpackage -us -uc -b"; }
ver=$(dpkg-parsechangelog -l debian/changelog -S Version)
arch=$(dpkg-architecture -q DEB_HOST_ARCH)
DEB=$TMP/smtp-harness_${ver}_$arch.deb
CHANGES=$TMP/smtp-harness_${ver}_$arch.changes
[ -f "$DEB" ] && [ -f "$CHANGES" ] || fail "no $(basename "$DEB") or .changes after the build"
echo "ok deb: dpkg-buildpackage -us -uc -b built $(basename "$DEB") in $(($(date +%s) - start)) s"

# What the package declares and holds.
dpkg-deb -f "$DEB" Depends >"$TMP/depends"
for lib in libyaml-0-2 libssl3 libc6; do
	grep -q "$lib" "$TMP/depends" || fail "Depends lacks $lib: $(cat "$TMP/depends")"
done
dpkg-deb -c "$DEB" | awk '{print $NF}' | sed 's|^\./|/|' >"$TMP/files"
for f in /usr/bin/smtp-harness /usr/share/smtp-harness/catalogue.md \
    /usr/share/smtp-harness/catalogue-gaps.md \
    /usr/share/man/man1/smtp-harness.1.gz /usr/share/man/man5/smtp-harness-scenarios.5.gz \
    /usr/share/doc/smtp-harness/README.md.gz /usr/share/doc/smtp-harness/copyright \
    /usr/share/doc/smtp-harness/changelog.gz \
    /usr/share/bash-completion/completions/smtp-harness \
    /usr/share/zsh/vendor-completions/_smtp-harness; do
	grep -qx "$f" "$TMP/files" || fail "the package lacks $f"
done
want=$(find scenarios -name '*.yaml' | wc -l)
got=$(grep -c '^/usr/share/smtp-harness/scenarios/.*\.yaml$' "$TMP/files" || true)
[ "$got" -eq "$want" ] || fail "the package holds $got scenarios, the checkout has $want"
echo "ok deb: Depends $(cat "$TMP/depends"); binary, $got scenarios, catalogue, man pages, docs, completions"

# The packaged binary, from another directory, finds the packaged suite.
ROOT=$TMP/root
dpkg-deb -x "$DEB" "$ROOT"
mkdir "$TMP/elsewhere" "$TMP/work"
rc=0
unshare -m sh -c '
	set -e
	mount --make-rprivate /
	mount -t overlay overlay -o "lowerdir=$1/usr/share:/usr/share" /usr/share
	cd "$2"
	"$1/usr/bin/smtp-harness" --help 2>&1 | grep -q /usr/share/smtp-harness
	man -l /usr/share/man/man1/smtp-harness.1.gz >/dev/null
	"$1/usr/bin/smtp-harness" run --target builtin -j 2
' sh "$ROOT" "$TMP/elsewhere" >"$TMP/run.log" 2>&1 || rc=$?
[ $rc -eq 0 ] || { tail -n 20 "$TMP/run.log" >&2; fail "the packaged smtp-harness run --target builtin exited $rc"; }
ran=$(sed -n 's/^total: *\([0-9]*\) .*/\1/p' "$TMP/run.log")
[ "$ran" = "$want" ] || fail "the packaged run ran ${ran:-no} scenarios, the checkout has $want"
[ -z "$(ls -A "$TMP/elsewhere")" ] || fail "the run wrote into its working directory: $(ls -A "$TMP/elsewhere")"
echo "ok deb: the unpacked package, run from another directory: $ran scenarios against builtin, exit 0"

# lintian: errors and warnings fail; the rest is shown.
rc=0
lintian --fail-on error,warning --info "$CHANGES" >"$TMP/lintian.log" 2>&1 || rc=$?
grep -v '^running with root privileges' "$TMP/lintian.log" | sed 's/^/# lintian: /' || true
[ $rc -eq 0 ] || fail "lintian exited $rc"
! grep -q '^[EW]: ' "$TMP/lintian.log" || fail "lintian reported errors or warnings"
echo "ok deb: lintian $(lintian --version | awk '{print $2}'): no error, no warning"

if [ -n "$OUT" ]; then
	mkdir -p "$OUT"
	cp "$TMP"/smtp-harness*_"$ver"_*.deb "$TMP"/*.changes "$TMP"/*.buildinfo "$OUT"/
	echo "deb: $(ls "$OUT"/*.deb | tr '\n' ' ')"
fi
