#!/bin/sh
# install.sh - make install and make uninstall, checked.  Installs into a
# temporary DESTDIR with a temporary PREFIX; links PREFIX to the staged
# tree (what unpacking a package does), so the installed binary finds its
# compiled-in DATADIR.  From another directory, `smtp-harness run` with no
# PATH must run the whole installed suite against builtin (exit 0, as many
# scenarios as the checkout has) and `list --coverage` must read the
# installed catalogue; then make uninstall must leave no file behind.
# Usage: BUILD=build install.sh; prints "ok ..." lines, exit 1 on a failure.
set -eu
cd "$(dirname "$0")/.."
TOP=$(pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
DEST=$TMP/dest
PREFIX=$TMP/prefix
fail() { echo "FAIL install: $*" >&2; exit 1; }
MK="make -s --no-print-directory BUILD=${BUILD:-build} PREFIX=$PREFIX DESTDIR=$DEST"

$MK install >"$TMP/install.log" 2>&1 || { cat "$TMP/install.log" >&2; fail "make install"; }
ln -s "$DEST$PREFIX" "$PREFIX"
for f in bin/smtp-harness share/man/man1/smtp-harness.1 share/man/man5/smtp-harness-scenarios.5 \
    share/smtp-harness/catalogue.md share/smtp-harness/catalogue-gaps.md \
    share/doc/smtp-harness/README.md share/doc/smtp-harness/scenarios.md \
    share/bash-completion/completions/smtp-harness share/zsh/site-functions/_smtp-harness; do
	[ -f "$DEST$PREFIX/$f" ] || fail "not installed: PREFIX/$f"
done
[ -x "$DEST$PREFIX/bin/smtp-harness" ] || fail "PREFIX/bin/smtp-harness is not executable"
want=$(find scenarios -name '*.yaml' | wc -l)
got=$(find "$DEST$PREFIX/share/smtp-harness/scenarios" -name '*.yaml' | wc -l)
[ "$got" -eq "$want" ] || fail "$got scenario files installed, the checkout has $want"
echo "ok install: binary, $got scenarios, catalogue, man pages, docs, completions under PREFIX"

cd "$TMP"
rc=0
"$PREFIX/bin/smtp-harness" run -j 4 >"$TMP/run.log" 2>&1 || rc=$?
[ $rc -eq 0 ] || { tail -n 20 "$TMP/run.log" >&2; fail "installed smtp-harness run (no PATH) exited $rc"; }
ran=$(sed -n 's/^total: *\([0-9]*\) .*/\1/p' "$TMP/run.log")
[ "$ran" = "$want" ] || fail "installed run ran ${ran:-no} scenarios, the checkout has $want"
echo "ok install: from $TMP, 'smtp-harness run' ran the installed suite: $ran scenarios, exit 0"
"$PREFIX/bin/smtp-harness" list --coverage >"$TMP/cov.log" 2>&1 || { cat "$TMP/cov.log" >&2; fail "installed list --coverage"; }
grep -q "^catalogue: .*($PREFIX/share/smtp-harness/catalogue.md)" "$TMP/cov.log" ||
	fail "list --coverage did not read the installed catalogue: $(grep '^catalogue:' "$TMP/cov.log")"
(cd "$TOP" && "${BUILD:-build}/smtp-harness" list --coverage) | sed -n 's/^\(covered\|uncovered\):[^(]*/&/p' | cut -d'(' -f1 >"$TMP/cov.want"
sed -n 's/^\(covered\|uncovered\):[^(]*/&/p' "$TMP/cov.log" | cut -d'(' -f1 >"$TMP/cov.got"
[ -s "$TMP/cov.want" ] && cmp -s "$TMP/cov.want" "$TMP/cov.got" || fail "installed list --coverage counts differ from the checkout's"
echo "ok install: list --coverage reads the installed catalogue and gaps, counts as in the checkout"
man -l "$PREFIX/share/man/man1/smtp-harness.1" >/dev/null 2>&1 || fail "man -l the installed page"
cd "$TOP"

$MK uninstall >"$TMP/uninstall.log" 2>&1 || { cat "$TMP/uninstall.log" >&2; fail "make uninstall"; }
left=$(find "$DEST" ! -type d)
[ -z "$left" ] || fail "make uninstall left: $left"
[ ! -e "$DEST$PREFIX/share/smtp-harness" ] || fail "make uninstall left PREFIX/share/smtp-harness"
[ ! -e "$DEST$PREFIX/share/doc/smtp-harness" ] || fail "make uninstall left PREFIX/share/doc/smtp-harness"
echo "ok install: make uninstall removed every file it installed"
